using Gateway.Operations;

namespace Gateway.Tests.Operations;

public sealed class GracefulDrainTests
{
    [Theory]
    [InlineData(0, 30_000, 0)]
    [InlineData(1, 30_000, 1)]
    [InlineData(50, 30_000, 50)]
    [InlineData(4_000, 30_000, 4_000)]
    [InlineData(100_000, 30_000, 5_000)] // capped by MaxSpread
    [InlineData(100_000, 3_000, 1_000)]  // at most a third of the grace
    [InlineData(10, 0, 0)]
    public void Closes_are_spread_1ms_apart_within_5s_and_a_third_of_the_grace(int sessions, int graceMs, int expectedMs)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), GracefulDrain.Spread(sessions, TimeSpan.FromMilliseconds(graceMs)));
    }
}
