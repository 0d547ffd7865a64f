using Gateway.Protocol.Masking;

namespace Gateway.Protocol.Tests.Masking;

public class MaskKeysTests
{
    [Fact]
    public void Keys_vary_across_refills_and_threads()
    {
        // 10,000 keys span three 4,096-key blocks; a repeat among 32-bit random keys is possible (~1% likely here),
        // so ask for nearly all distinct rather than all.
        uint[] keys = Enumerable.Range(0, 10_000).Select(_ => MaskKeys.Next()).ToArray();
        uint[] otherThread = [];
        var thread = new Thread(() => otherThread = Enumerable.Range(0, 10_000).Select(_ => MaskKeys.Next()).ToArray());
        thread.Start();
        thread.Join();

        Assert.True(keys.Distinct().Count() >= 9_995);
        Assert.True(keys.Concat(otherThread).Distinct().Count() >= 19_990);
    }

    [Fact]
    public void Fill_continues_the_threads_keys_across_refills_without_repeating_them()
    {
        // 3,000 + 3,000 + 10 keys cross a 4,096-key refill inside the second Fill: the keys before and after it, and
        // those Next hands out afterwards, are all fresh.
        var first = new uint[3_000];
        var second = new uint[3_000];
        MaskKeys.Fill(first);
        MaskKeys.Fill(second);
        uint[] next = Enumerable.Range(0, 10).Select(_ => MaskKeys.Next()).ToArray();

        uint[] all = [.. first, .. second, .. next];
        Assert.True(all.Distinct().Count() >= all.Length - 5);
        Assert.DoesNotContain(0u, second.Skip(2_000)); // the part after the refill was written, not left empty
    }

    [Fact]
    public void Next_does_not_allocate_in_steady_state()
    {
        uint sink = 0;
        long allocated = Frames.FrameDecoderAllocationTests.Measure(() =>
        {
            for (int i = 0; i < 10_000; i++)
            {
                sink ^= MaskKeys.Next();
            }
        });

        Assert.Equal(0, allocated);
        GC.KeepAlive(sink);
    }
}
