using Gateway.Protocol.Masking;

namespace Gateway.Protocol.Tests.Masking;

public class MaskKeysTests
{
    [Fact]
    public void Keys_vary_across_refills_and_threads()
    {
        // 1000 keys span several 256-key blocks; a repeat among 32-bit random keys is possible but ~1e-4 likely,
        // so ask for nearly all distinct rather than all.
        uint[] keys = Enumerable.Range(0, 1000).Select(_ => MaskKeys.Next()).ToArray();
        uint[] otherThread = [];
        var thread = new Thread(() => otherThread = Enumerable.Range(0, 1000).Select(_ => MaskKeys.Next()).ToArray());
        thread.Start();
        thread.Join();

        Assert.True(keys.Distinct().Count() >= 998);
        Assert.True(keys.Concat(otherThread).Distinct().Count() >= 1996);
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
