using System.Buffers;
using Gateway.Protocol;
using Gateway.Protocol.Closing;
using Gateway.Protocol.Frames;
using Gateway.Protocol.Masking;
using Gateway.Testing.Buffers;

namespace Gateway.Protocol.Tests.Frames;

/// <summary>
/// Drives a <see cref="FrameDecoder"/> the way the relay does: bytes arrive in pieces (a pipe's reads), headers are
/// read from the unconsumed part, payloads are unmasked piece by piece and passed through ValidatePayload, Close
/// payloads through ClosePayload.Parse. It checks the decoder's consumed/examined contract at every step and
/// summarises what came out as one comparable string.
/// </summary>
internal static class FrameReader
{
    public static ReadResult Read(byte[] wire, Role role = Role.Client, FrameLimits? limits = null) =>
        Read(wire, [], role, limits);

    public static ReadResult Read(byte[] wire, IReadOnlyList<int> cuts, Role role = Role.Client,
        FrameLimits? limits = null) =>
        Read(new FrameDecoder(role, limits ?? FrameLimits.Default), wire, cuts);

    public static ReadResult Read(FrameDecoder decoder, byte[] wire, IReadOnlyList<int> cuts)
    {
        ReadOnlyMemory<byte>[] pieces = SequenceBuilder.Pieces(wire, cuts);
        ReadOnlySequence<byte> all = SequenceBuilder.FromPieces(pieces);
        var output = new List<string>();
        SequencePosition position = all.Start; // everything before it is consumed
        SequencePosition arrived = all.Start;  // everything before it has been received
        long positionOffset = 0, arrivedOffset = 0;
        FrameHeader? current = null;
        var payload = new ArrayBufferWriter<byte>(); // grows with what arrives, never with what is announced
        long payloadWritten = 0;
        int maskOffset = 0;

        foreach (ReadOnlyMemory<byte> piece in pieces)
        {
            arrived = all.GetPosition(piece.Length, arrived);
            arrivedOffset += piece.Length;
            while (true)
            {
                if (current is null)
                {
                    ReadOnlySequence<byte> buffer = all.Slice(position, arrived);
                    DecodeStatus status = decoder.TryReadHeader(buffer, out FrameHeader header,
                        out SequencePosition consumed, out SequencePosition examined, out ProtocolError? error);
                    if (status == DecodeStatus.Error)
                    {
                        Assert.NotNull(error);
                        AssertUnconsumed(buffer, consumed, examined);
                        return Fail(output, error);
                    }

                    Assert.Null(error);
                    if (status == DecodeStatus.NeedMoreData)
                    {
                        AssertUnconsumed(buffer, consumed, examined);
                        break;
                    }

                    Assert.Equal(DecodeStatus.Done, status);
                    Assert.InRange(header.HeaderLength, 2, FrameEncoder.MaxHeaderLength);
                    Assert.Equal(header.HeaderLength, all.Slice(position, consumed).Length);
                    Assert.Equal(consumed, examined);
                    position = consumed;
                    positionOffset += header.HeaderLength;
                    current = header;
                    payload.ResetWrittenCount();
                    payloadWritten = 0;
                    maskOffset = 0;
                }

                FrameHeader frame = current.Value;
                long take = Math.Min(frame.PayloadLength - payloadWritten, arrivedOffset - positionOffset);
                foreach (ReadOnlyMemory<byte> chunk in all.Slice(position, take))
                {
                    if (chunk.IsEmpty)
                    {
                        continue;
                    }

                    Span<byte> unmasked = payload.GetSpan(chunk.Length)[..chunk.Length];
                    maskOffset = Mask.Apply(chunk.Span, unmasked, frame.MaskKey, maskOffset);
                    payload.Advance(chunk.Length);
                    payloadWritten += chunk.Length;
                    if (decoder.ValidatePayload(unmasked, payloadWritten == frame.PayloadLength) is { } error)
                    {
                        return Fail(output, error);
                    }
                }

                position = all.GetPosition(take, position);
                positionOffset += take;
                if (payloadWritten < frame.PayloadLength)
                {
                    break;
                }

                if (frame.PayloadLength == 0 && decoder.ValidatePayload([], endOfFrame: true) is { } emptyError)
                {
                    return Fail(output, emptyError);
                }

                if (frame.Opcode == Opcode.Close && ClosePayload.Parse(payload.WrittenSpan, out _, out _) is { } closeError)
                {
                    return Fail(output, closeError);
                }

                output.Add(Describe(frame, payload.WrittenSpan));
                current = null;
            }
        }

        if (current is not null || positionOffset < wire.Length)
        {
            output.Add("incomplete");
        }

        return new ReadResult(string.Join("; ", output), null);
    }

    /// <summary>The summary Read gives for one frame.</summary>
    public static string Describe(FrameHeader frame, ReadOnlySpan<byte> unmaskedPayload) =>
        $"{frame.Opcode}{(frame.Fin ? "" : " more")} {Convert.ToHexString(unmaskedPayload)}";

    public static string Describe(Opcode opcode, bool fin, string hexPayload) =>
        $"{opcode}{(fin ? "" : " more")} {hexPayload.ToUpperInvariant()}";

    private static ReadResult Fail(List<string> output, ProtocolError error)
    {
        output.Add("error " + error.Code);
        return new ReadResult(string.Join("; ", output), error);
    }

    private static void AssertUnconsumed(ReadOnlySequence<byte> buffer, SequencePosition consumed,
        SequencePosition examined)
    {
        Assert.Equal(buffer.Start, consumed);
        Assert.Equal(buffer.End, examined);
    }
}

/// <summary>
/// What a <see cref="FrameReader"/> run produced: one line per frame ("Text more 48656C", "Ping "), then
/// "error CODE" or "incomplete" if it ended that way; and the error object itself.
/// </summary>
internal sealed record ReadResult(string Summary, ProtocolError? Error);
