using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Gateway.Protocol;
using Gateway.Protocol.Closing;
using Gateway.Protocol.Frames;
using Gateway.Protocol.Masking;
using Gateway.Testing.Buffers;

namespace Gateway.Fuzz.Targets;

/// <summary>
/// Drives one <see cref="FrameDecoder"/> over a stream the way the relay does (headers from the unconsumed bytes,
/// payloads unmasked piece by piece through ValidatePayload, Close bodies through ClosePayload.Parse), checks
/// each step against RFC 6455 5.2-5.5 worked out here from the raw bytes, and writes down what it saw.
/// </summary>
internal sealed partial class FrameStreamReader
{
    private const int MaxHeaderLength = 14;
    private const int MaxControlPayload = 125;

    private readonly FrameDecoder _decoder;
    private readonly Role _role;
    private readonly FrameLimits _limits;
    private readonly StringBuilder _log = new();
    private readonly Utf8Oracle _utf8 = new();
    private readonly byte[] _control = new byte[MaxControlPayload];

    // The fragmentation state as RFC 6455 5.4 has it, kept independently of the decoder's.
    private bool _inFragmentedMessage;
    private bool _inTextMessage;
    private long _messageLength;

    private FrameHeader _frame;
    private bool _inPayload;
    private long _payloadSeen;
    private int _maskOffset;
    private int _frames;

    private FrameStreamReader(Role role, FrameLimits limits)
    {
        _decoder = new FrameDecoder(role, limits);
        _role = role;
        _limits = limits;
    }

    private long PayloadDue => _inPayload ? _frame.PayloadLength - _payloadSeen : 0;

    /// <summary>All of the wire as one span, each data frame tried whole first (the relay's fast path).</summary>
    public static string ReadSpan(Role role, FrameLimits limits, byte[] wire)
    {
        var reader = new FrameStreamReader(role, limits);
        int at = 0;
        while (true)
        {
            if (!reader._inPayload)
            {
                ReadOnlySpan<byte> rest = wire.AsSpan(at);
                int wholeLength = FrameDecoder.WholeDataFrameLength(rest);
                DecodeStatus status = reader._decoder.TryReadWholeDataFrame(rest, out FrameHeader header, out ProtocolError? error);
                if (status == DecodeStatus.Done)
                {
                    Invariant.Same((long)wholeLength, header.HeaderLength + header.PayloadLength, "WholeDataFrameLength");
                }
                else if (status == DecodeStatus.NeedMoreData)
                {
                    Invariant.Same(0, wholeLength, "WholeDataFrameLength of a frame TryReadWholeDataFrame left alone");
                    status = reader._decoder.TryReadHeader(rest, out header, out error);
                }

                if (status == DecodeStatus.Error)
                {
                    reader.OnError(error);
                    return reader._log.ToString();
                }

                if (status == DecodeStatus.NeedMoreData)
                {
                    Invariant.Check(error is null, "an error with NeedMoreData");
                    Invariant.Check(rest.Length < MaxHeaderLength, "NeedMoreData with a whole header's worth of bytes");
                    break;
                }

                at += header.HeaderLength;
                if (!reader.OnHeader(header, rest[..header.HeaderLength]))
                {
                    return reader._log.ToString();
                }
            }

            int take = (int)Math.Min(reader.PayloadDue, wire.Length - at);
            if (!reader.OnPayload(wire.AsSpan(at, take)))
            {
                return reader._log.ToString();
            }

            at += take;
            if (reader._inPayload)
            {
                break;
            }
        }

        return reader.Finish(wire.Length - at);
    }

    /// <summary>The wire cut before each offset in <paramref name="cuts"/>, the pieces arriving one after another.</summary>
    public static string ReadSequence(Role role, FrameLimits limits, byte[] wire, int[] cuts)
    {
        var reader = new FrameStreamReader(role, limits);
        ReadOnlyMemory<byte>[] pieces = SequenceBuilder.Pieces(wire, cuts);
        ReadOnlySequence<byte> all = SequenceBuilder.FromPieces(pieces);
        long consumed = 0, arrived = 0;
        byte[] headerBytes = new byte[MaxHeaderLength];
        foreach (ReadOnlyMemory<byte> piece in pieces)
        {
            arrived += piece.Length;
            while (true)
            {
                if (!reader._inPayload)
                {
                    ReadOnlySequence<byte> buffer = all.Slice(consumed, arrived - consumed);
                    DecodeStatus status = reader._decoder.TryReadHeader(buffer, out FrameHeader header,
                        out SequencePosition headerEnd, out SequencePosition examined, out ProtocolError? error);
                    if (status != DecodeStatus.Done)
                    {
                        Invariant.Check(headerEnd.Equals(buffer.Start), $"{status}: consumed is not the buffer's start");
                        Invariant.Check(examined.Equals(buffer.End), $"{status}: examined is not the buffer's end");
                        if (status == DecodeStatus.Error)
                        {
                            reader.OnError(error);
                            return reader._log.ToString();
                        }

                        Invariant.Check(error is null, "an error with NeedMoreData");
                        Invariant.Check(buffer.Length < MaxHeaderLength, "NeedMoreData with a whole header's worth of bytes");
                        break;
                    }

                    Invariant.Check(headerEnd.Equals(examined), "consumed and examined differ after a header");
                    Invariant.Same((long)header.HeaderLength, buffer.Slice(0, headerEnd).Length, "bytes consumed by a header");
                    buffer.Slice(0, header.HeaderLength).CopyTo(headerBytes);
                    consumed += header.HeaderLength;
                    if (!reader.OnHeader(header, headerBytes.AsSpan(0, header.HeaderLength)))
                    {
                        return reader._log.ToString();
                    }
                }

                long take = Math.Min(reader.PayloadDue, arrived - consumed);
                foreach (ReadOnlyMemory<byte> chunk in all.Slice(consumed, take))
                {
                    if (!reader.OnPayload(chunk.Span))
                    {
                        return reader._log.ToString();
                    }
                }

                consumed += take;
                if (reader._inPayload)
                {
                    break; // the rest of the payload is still to come
                }
            }
        }

        return reader.Finish(arrived - consumed);
    }

    private string Finish(long unconsumed)
    {
        _log.Append(_inPayload ? $"end in payload {_payloadSeen}/{_frame.PayloadLength}" : $"end with {unconsumed} header bytes");
        return _log.ToString();
    }

    private void OnError(ProtocolError? error)
    {
        Invariant.Check(error is not null && ProtocolError.All.Contains(error), $"unknown error {error}");
        _log.Append($"error {error!.Code}");

        // Errors are sticky until Reset.
        DecodeStatus again = _decoder.TryReadHeader(ReadOnlySpan<byte>.Empty, out _, out ProtocolError? repeated);
        Invariant.Same(DecodeStatus.Error, again, "status after an error");
        Invariant.Check(ReferenceEquals(error, repeated), "the error is not sticky");
    }

    private static uint ReadMaskKey(ReadOnlySpan<byte> header) => BinaryPrimitives.ReadUInt32LittleEndian(header[^4..]);
}
