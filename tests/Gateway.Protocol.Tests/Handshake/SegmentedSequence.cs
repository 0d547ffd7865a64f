using System.Buffers;

namespace Gateway.Protocol.Tests.Handshake;

/// <summary>Builds multi-segment sequences, the way a pipe hands over bytes that arrived in several reads.</summary>
internal static class SegmentedSequence
{
    public static ReadOnlySequence<byte> FromChunks(IReadOnlyList<byte[]> chunks)
    {
        if (chunks.Count == 0)
            return ReadOnlySequence<byte>.Empty;
        var first = new Segment(chunks[0], runningIndex: 0);
        var last = first;
        for (var i = 1; i < chunks.Count; i++)
            last = last.Append(chunks[i]);
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>Two segments, cut before byte <paramref name="offset"/> (0 and Length give an empty segment).</summary>
    public static ReadOnlySequence<byte> SplitAt(byte[] data, int offset) =>
        FromChunks([data[..offset], data[offset..]]);

    /// <summary>One segment per byte.</summary>
    public static ReadOnlySequence<byte> OneBytePerSegment(byte[] data) =>
        FromChunks(data.Select(b => new[] { b }).ToArray());

    /// <summary>Chunks of 0 to <paramref name="maxChunk"/> bytes (empty segments included on purpose).</summary>
    public static ReadOnlySequence<byte> RandomChunks(byte[] data, Random random, int maxChunk = 17)
    {
        var chunks = new List<byte[]>();
        var offset = 0;
        while (offset < data.Length)
        {
            var size = Math.Min(random.Next(0, maxChunk + 1), data.Length - offset);
            chunks.Add(data[offset..(offset + size)]);
            offset += size;
        }
        return FromChunks(chunks);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
