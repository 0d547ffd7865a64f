using System.Buffers;
using Gateway.Transport;
using Xunit;

namespace Gateway.Tests.Transport;

public sealed class LargeBlockMemoryPoolTests
{
    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    [InlineData(4096)]
    [InlineData(LargeBlockMemoryPool.BlockSize)]
    public void Every_rent_is_a_whole_block(int size)
    {
        using var pool = new LargeBlockMemoryPool();
        using var block = pool.Rent(size);

        Assert.Equal(LargeBlockMemoryPool.BlockSize, block.Memory.Length);
        Assert.Equal(LargeBlockMemoryPool.BlockSize, pool.MaxBufferSize);
    }

    [Fact]
    public void More_than_a_block_is_refused_because_pipes_allocate_that_themselves()
    {
        using var pool = new LargeBlockMemoryPool();

        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(LargeBlockMemoryPool.BlockSize + 1));
    }

    [Fact]
    public void A_returned_block_is_rented_again_instead_of_allocating()
    {
        using var pool = new LargeBlockMemoryPool();
        var first = pool.Rent();
        first.Dispose();

        using var second = pool.Rent();

        Assert.Same(first, second);
    }

    [Fact]
    public void The_block_returned_last_is_rented_first_while_it_is_still_in_cache()
    {
        using var pool = new LargeBlockMemoryPool();
        var older = pool.Rent();
        var newer = pool.Rent();
        older.Dispose();
        newer.Dispose();

        using var first = pool.Rent();
        using var second = pool.Rent();

        Assert.Same(newer, first);
        Assert.Same(older, second);
    }

    [Fact]
    public void A_burst_leaves_at_most_256_blocks_behind_plus_the_two_the_thread_keeps()
    {
        using var pool = new LargeBlockMemoryPool();
        var burst = Enumerable.Range(0, 300).Select(_ => pool.Rent()).ToList();
        burst.ForEach(b => b.Dispose());

        var again = Enumerable.Range(0, 300).Select(_ => pool.Rent()).ToList();

        Assert.Equal(256 + 2, again.Count(b => burst.Contains(b)));
    }

    [Fact]
    public void A_thread_keeps_its_two_last_blocks_and_shares_the_rest()
    {
        using var pool = new LargeBlockMemoryPool();
        IMemoryOwner<byte>[] returned = [];
        OnThread(() =>
        {
            returned = [pool.Rent(), pool.Rent(), pool.Rent()];
            foreach (var block in returned)
            {
                block.Dispose();
            }
        });

        IMemoryOwner<byte>[] elsewhere = [];
        OnThread(() => elsewhere = [pool.Rent(), pool.Rent()]);

        Assert.Same(returned[0], elsewhere[0]); // the oldest went to the shared stack
        Assert.DoesNotContain(returned[1], elsewhere); // the other two stayed with their thread
        Assert.DoesNotContain(returned[2], elsewhere);
    }

    private static void OnThread(Action action)
    {
        var thread = new Thread(() => action());
        thread.Start();
        thread.Join();
    }
}
