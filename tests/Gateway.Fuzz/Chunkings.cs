using Gateway.Testing.Buffers;

namespace Gateway.Fuzz;

/// <summary>
/// The ways a target re-reads one input: whole, a byte per segment, and in chunks drawn from a seed the input
/// itself carries, so afl-fuzz can steer the split points and a saved crash replays exactly.
/// </summary>
internal static class Chunkings
{
    /// <summary>Every-byte splitting re-scans a head once per byte; past this length it costs more than it finds.</summary>
    private const int EveryByteLimit = 1024;

    public static IEnumerable<int[]> For(int length, byte seed)
    {
        yield return [];
        if (length <= EveryByteLimit)
        {
            yield return SequenceBuilder.EveryByte(length);
        }

        var random = new Random(seed);
        yield return SequenceBuilder.RandomCuts(length, random, maxChunk: 1 + (seed & 0x0F));
        yield return SequenceBuilder.RandomCuts(length, random, maxChunk: 1 + seed);
    }
}
