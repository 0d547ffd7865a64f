using System.Buffers;

namespace Gateway.Testing.Buffers;

/// <summary>
/// Builds a multi-segment <see cref="ReadOnlySequence{T}"/> from pieces: the shape a PipeReader hands out when data
/// arrived in several reads. Wire-level tests use it to re-run every case split at every byte and in random chunks.
/// </summary>
public sealed class SequenceBuilder
{
    private readonly List<ReadOnlyMemory<byte>> _pieces = [];

    /// <summary>Appends one segment (empty segments are kept: parsers must cope with them too).</summary>
    public SequenceBuilder Append(ReadOnlyMemory<byte> piece)
    {
        _pieces.Add(piece);
        return this;
    }

    public ReadOnlySequence<byte> Build()
    {
        if (_pieces.Count == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        if (_pieces.Count == 1)
        {
            return new ReadOnlySequence<byte>(_pieces[0]);
        }

        var first = new Segment(_pieces[0], runningIndex: 0);
        Segment last = first;
        for (int i = 1; i < _pieces.Count; i++)
        {
            last = last.Append(_pieces[i]);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    public static ReadOnlySequence<byte> FromPieces(params ReadOnlyMemory<byte>[] pieces)
    {
        var builder = new SequenceBuilder();
        foreach (ReadOnlyMemory<byte> piece in pieces)
        {
            builder.Append(piece);
        }

        return builder.Build();
    }

    /// <summary>Splits <paramref name="data"/> before each of the ascending offsets in <paramref name="cuts"/>.</summary>
    public static ReadOnlySequence<byte> SplitAt(ReadOnlyMemory<byte> data, IReadOnlyList<int> cuts) =>
        FromPieces(Pieces(data, cuts));

    /// <summary>The pieces <paramref name="data"/> falls into when cut before each ascending offset.</summary>
    public static ReadOnlyMemory<byte>[] Pieces(ReadOnlyMemory<byte> data, IReadOnlyList<int> cuts)
    {
        var pieces = new ReadOnlyMemory<byte>[cuts.Count + 1];
        int start = 0;
        for (int i = 0; i < cuts.Count; i++)
        {
            if (cuts[i] < start || cuts[i] > data.Length)
            {
                throw new ArgumentException("cuts must be ascending offsets within the data", nameof(cuts));
            }

            pieces[i] = data[start..cuts[i]];
            start = cuts[i];
        }

        pieces[^1] = data[start..];
        return pieces;
    }

    /// <summary>Ascending cut offsets that chop <paramref name="length"/> bytes into chunks of 1..maxChunk bytes.</summary>
    public static int[] RandomCuts(int length, Random random, int maxChunk)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChunk, 1);
        var cuts = new List<int>();
        for (int at = random.Next(1, maxChunk + 1); at < length; at += random.Next(1, maxChunk + 1))
        {
            cuts.Add(at);
        }

        return [.. cuts];
    }

    /// <summary>A cut before every byte: each byte its own segment.</summary>
    public static int[] EveryByte(int length) => Enumerable.Range(1, Math.Max(0, length - 1)).ToArray();

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
