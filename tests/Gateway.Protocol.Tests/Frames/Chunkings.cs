using Gateway.Testing.Buffers;

namespace Gateway.Protocol.Tests.Frames;

/// <summary>
/// The ways a wire case is re-run: whole, split once at every byte, one byte per read, and in random chunks with
/// fixed seeds. For long inputs the single splits cover every byte of the first and last 32 bytes (where headers
/// and edges are) plus 64 random offsets, to keep the run linear rather than quadratic in the length.
/// </summary>
internal static class Chunkings
{
    private const int ExhaustiveLength = 1024;
    private const int EdgeBytes = 32;
    private const int SampledSplits = 64;
    private const int RandomChunkings = 16;

    public static IEnumerable<int[]> For(int length, int seed = 6455)
    {
        yield return [];
        var random = new Random(seed);
        IEnumerable<int> singles = length <= ExhaustiveLength
            ? Enumerable.Range(1, Math.Max(0, length - 1))
            : Enumerable.Range(1, EdgeBytes)
                .Concat(Enumerable.Range(length - EdgeBytes, EdgeBytes))
                .Concat(Enumerable.Range(0, SampledSplits).Select(_ => random.Next(1, length)))
                .Distinct()
                .Order();
        foreach (int at in singles)
        {
            yield return [at];
        }

        yield return SequenceBuilder.EveryByte(length);
        for (int i = 0; i < RandomChunkings; i++)
        {
            yield return SequenceBuilder.RandomCuts(length, random, maxChunk: 1 + random.Next(i < 8 ? 16 : 4096));
        }
    }
}
