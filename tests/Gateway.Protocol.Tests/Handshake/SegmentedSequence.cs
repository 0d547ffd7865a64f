using System.Buffers;
using Gateway.Testing.Buffers;

namespace Gateway.Protocol.Tests.Handshake;

/// <summary>The chunkings the head parser tests use, built with the shared <see cref="SequenceBuilder"/>.</summary>
internal static class SegmentedSequence
{
    public static ReadOnlySequence<byte> FromChunks(IReadOnlyList<byte[]> chunks) =>
        SequenceBuilder.FromPieces(chunks.Select(c => (ReadOnlyMemory<byte>)c).ToArray());

    /// <summary>Two segments, cut before byte <paramref name="offset"/> (0 and Length give an empty segment).</summary>
    public static ReadOnlySequence<byte> SplitAt(byte[] data, int offset) => SequenceBuilder.SplitAt(data, [offset]);

    /// <summary>One segment per byte.</summary>
    public static ReadOnlySequence<byte> OneBytePerSegment(byte[] data) =>
        SequenceBuilder.SplitAt(data, SequenceBuilder.EveryByte(data.Length));

    /// <summary>Chunks of 0 to <paramref name="maxChunk"/> bytes (empty segments included on purpose).</summary>
    public static ReadOnlySequence<byte> RandomChunks(byte[] data, Random random, int maxChunk = 17)
    {
        var cuts = new List<int>();
        for (int at = random.Next(0, maxChunk + 1); at < data.Length; at += random.Next(0, maxChunk + 1))
        {
            cuts.Add(at);
        }

        return SequenceBuilder.SplitAt(data, cuts);
    }
}
