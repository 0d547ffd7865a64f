using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Gateway.Protocol;
using Gateway.Protocol.Frames;
using Gateway.Protocol.Masking;
using Gateway.Transport;

namespace Gateway.Relay;

/// Turns the arrived part of a data frame from one leg into a complete frame on the other: text is validated
/// first (nothing is written for a piece that fails), then header and payload are written in one pass that
/// unmasks with the sender's key and masks with a fresh key toward an upstream (or just copies toward a client).
/// Written for the hot path: no allocation, spans only, one copy (the one the relay needs), none for a large piece
/// between two sockets (WriteInPlace).
internal sealed class PieceWriter
{
    /// Text from a masked sender is unmasked into this much stack at a time (ValidateText).
    private const int ValidationChunk = 1024;

    /// From this size a piece between two sockets is sent from where it was read (WriteInPlace); a smaller one is
    /// copied, which costs less than another buffer in the send.
    private const int MinReferencedPiece = 16 * 1024;

    /// Mask keys are taken from the thread's block this many at a time (NextKey).
    private const int KeysPerFill = 8;

    private readonly Leg _from;
    private readonly Leg _to;
    private FrameHeader _frame;

    /// Keys for the frames this writer masks (toward an upstream), created at the first: one thread-static lookup
    /// (MaskKeys.Fill) per eight frames instead of one per frame, on the path every small masked frame takes. A
    /// writer toward a client never masks and an idle session never writes, so neither holds them.
    private uint[]? _keys;
    private int _nextKey = KeysPerFill;
    private long _validatedOffset;
    private long _writtenOffset;

    public PieceWriter(Leg from, Leg to)
    {
        _from = from;
        _to = to;
    }

    public void BeginFrame(in FrameHeader frame)
    {
        _frame = frame;
        _validatedOffset = 0;
        _writtenOffset = 0;
    }

    /// Validates (text) and writes one piece as a frame of its own. Returns the violation, if any, before writing.
    public ProtocolError? WritePiece(in ReadOnlySequence<byte> piece, bool firstPiece, bool lastPiece)
    {
        var error = ValidateOnly(piece, lastPiece);
        if (error is not null)
        {
            return error;
        }

        bool fin = _frame.Fin && lastPiece;
        var opcode = firstPiece ? _frame.Opcode : Opcode.Continuation;
        bool mask = _to.MasksOutgoing;
        uint outKey = mask ? NextKey() : 0;
        var output = _to.Output;
        var headerSpan = output.GetSpan(FrameEncoder.MaxHeaderLength);
        output.Advance(FrameEncoder.WriteHeader(headerSpan, fin, opcode, piece.Length, mask, outKey));

        // Mask keys roll with the position in the payload (RFC 6455 5.3): rotate the sender's key to where this piece
        // starts in the original frame, so both keys line up at offset 0 of the piece.
        uint inKey = _frame.Masked ? RotateKey(_frame.MaskKey, _writtenOffset) : 0;
        if (piece.Length >= MinReferencedPiece && _to.ReferenceOutput is { } byReference && _from.PollableInput is not null)
        {
            WriteInPlace(piece, byReference, inKey, outKey);
            _writtenOffset += piece.Length;
            return null;
        }

        int offset = 0;
        foreach (var segment in piece)
        {
            offset = WritePayload(output, segment.Span, inKey, outKey, offset);
        }

        _writtenOffset += piece.Length;
        return null;
    }

    /// A whole data frame that arrived in one span (`wire`: header and payload), the common case for small messages:
    /// validated, then written as it came into `destination`, a span of the output that the caller advances past the
    /// bytes written (so a run of small frames costs one GetSpan and one Advance, not one per frame). Returns the
    /// bytes written, 0 with `error` set for a violation (nothing of the frame counts as written), or -1 when
    /// `destination` is too short for the frame: the caller then gets a span of at least WholeFrameBound.
    public int WriteWholeFrame(in FrameHeader frame, ReadOnlySpan<byte> wire, Span<byte> destination, out ProtocolError? error)
    {
        error = null;
        bool mask = _to.MasksOutgoing;
        var payload = wire[frame.HeaderLength..];
        int headerLength = FrameEncoder.GetHeaderLength(payload.Length, mask);
        if (destination.Length < headerLength + payload.Length)
        {
            return -1;
        }

        var target = destination.Slice(headerLength, payload.Length);
        uint outKey = mask ? NextKey() : 0;
        if (headerLength == frame.HeaderLength && frame.Masked == mask)
        {
            // The decoder checked the header, both legs mask or neither does (RFC 6455 5.1), and its length is in
            // the fewest bytes (5.2; the decoder lets a longer form through, which is written anew): it goes out as
            // it came but for the mask key, as copying it costs less than writing it anew.
            wire[..headerLength].CopyTo(destination);
            if (mask)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(destination[(headerLength - sizeof(uint))..], outKey);
            }
        }
        else
        {
            FrameEncoder.WriteHeader(destination, frame.Fin, frame.Opcode, payload.Length, mask, outKey);
        }

        if (!_from.Decoder.InTextMessage)
        {
            Transform(payload, target, frame.Masked, frame.MaskKey, outKey, 0);
            return headerLength + payload.Length;
        }

        // Text is validated where it is written: unmasked there first (from a client), then masked in place toward
        // an upstream; a frame that fails is never advanced past, so nothing of it goes out.
        if (frame.Masked)
        {
            Mask.Apply(payload, target, frame.MaskKey, 0);
        }
        else
        {
            payload.CopyTo(target);
        }

        error = _from.Decoder.ValidatePayload(target, endOfFrame: true);
        if (error is not null)
        {
            return 0;
        }

        if (mask)
        {
            Mask.Apply(target, outKey, 0);
        }

        return headerLength + payload.Length;
    }

    private uint NextKey()
    {
        var keys = _keys ??= new uint[KeysPerFill];
        if (_nextKey == KeysPerFill)
        {
            MaskKeys.Fill(keys);
            _nextKey = 0;
        }

        return keys[_nextKey++];
    }

    /// The output a whole frame of `payloadLength` bytes needs at most.
    public static int WholeFrameBound(int payloadLength) => FrameEncoder.MaxHeaderLength + payloadLength;

    /// A large piece between two sockets is not copied: its bytes are remasked where they were read (one XOR with
    /// both keys; none between unmasked legs) and sent from there. The reader's blocks are the pump's alone, read
    /// once: the pump moves past the piece and releases them only after its flush of this leg, which sends them or
    /// copies what it cannot send (IReferenceWriter).
    private static void WriteInPlace(in ReadOnlySequence<byte> piece, IReferenceWriter output, uint inKey, uint outKey)
    {
        uint key = inKey ^ outKey;
        int offset = 0;
        foreach (var segment in piece)
        {
            if (key != 0)
            {
                offset = Mask.Apply(MemoryMarshal.AsMemory(segment).Span, key, offset);
            }

            output.WriteReference(segment);
        }
    }

    /// Runs the piece through the decoder's UTF-8 validation when the message is text; binary needs nothing.
    public ProtocolError? ValidateOnly(in ReadOnlySequence<byte> piece, bool lastPiece)
    {
        if (!_from.Decoder.InTextMessage)
        {
            _validatedOffset += piece.Length;
            return null;
        }

        if (piece.IsSingleSegment || piece.IsEmpty)
        {
            return ValidateText(piece.FirstSpan, lastPiece); // an empty last piece still ends the frame
        }

        long left = piece.Length;
        foreach (var segment in piece)
        {
            if (segment.IsEmpty)
            {
                continue; // the end of the piece is reported once, with its last bytes
            }

            left -= segment.Length;
            var error = ValidateText(segment.Span, lastPiece && left == 0);
            if (error is not null)
            {
                return error;
            }
        }

        return null;
    }

    /// Text from a masked sender is unmasked on the stack, a chunk at a time, to be validated before it is forwarded.
    /// SkipLocalsInit: the scratch buffer is always written before it is read, so zeroing it would be work for nothing.
    [SkipLocalsInit]
    private ProtocolError? ValidateText(ReadOnlySpan<byte> source, bool endOfPiece)
    {
        if (source.IsEmpty)
        {
            return endOfPiece ? _from.Decoder.ValidatePayload([], endOfFrame: true) : null;
        }

        Span<byte> scratch = stackalloc byte[ValidationChunk];
        int offset = (int)(_validatedOffset & 3);
        _validatedOffset += source.Length;
        while (!source.IsEmpty)
        {
            var chunk = source[..Math.Min(source.Length, ValidationChunk)];
            scoped ReadOnlySpan<byte> text = chunk;
            if (_frame.Masked)
            {
                offset = Mask.Apply(chunk, scratch, _frame.MaskKey, offset);
                text = scratch[..chunk.Length];
            }

            source = source[chunk.Length..];
            var error = _from.Decoder.ValidatePayload(text, endOfFrame: endOfPiece && source.IsEmpty);
            if (error is not null)
            {
                return error;
            }
        }

        return null;
    }

    /// Writes payload bytes through the output's spans, however they are cut; returns the mask offset after them.
    private int WritePayload(PipeWriter output, ReadOnlySpan<byte> source, uint inKey, uint outKey, int offset)
    {
        while (!source.IsEmpty)
        {
            var destination = output.GetSpan();
            int length = Math.Min(destination.Length, source.Length);
            offset = Transform(source[..length], destination[..length], _frame.Masked, inKey, outKey, offset);
            output.Advance(length);
            source = source[length..];
        }

        return offset;
    }

    /// `masked`: whether the sender masked the frame (then `inKey` unmasks it).
    private int Transform(ReadOnlySpan<byte> source, Span<byte> destination, bool masked, uint inKey, uint outKey, int offset)
    {
        if (masked)
        {
            return _to.MasksOutgoing
                ? Mask.Remask(source, destination, inKey, outKey, offset)
                : Mask.Apply(source, destination, inKey, offset);
        }

        if (_to.MasksOutgoing)
        {
            return Mask.Apply(source, destination, outKey, offset);
        }

        source.CopyTo(destination);
        return (offset + source.Length) & 3;
    }

    /// The key as seen from `position` in the payload: byte (position mod 4) of the key becomes byte 0.
    internal static uint RotateKey(uint key, long position) => BitOperations.RotateRight(key, 8 * (int)(position & 3));
}
