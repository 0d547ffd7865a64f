using System.Buffers;
using Gateway.Hosting;
using Xunit;

namespace Gateway.Tests.Hosting;

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
    public void A_burst_leaves_at_most_256_blocks_behind()
    {
        using var pool = new LargeBlockMemoryPool();
        var burst = Enumerable.Range(0, 300).Select(_ => pool.Rent()).ToList();
        burst.ForEach(b => b.Dispose());

        var again = Enumerable.Range(0, 300).Select(_ => pool.Rent()).ToList();

        Assert.Equal(256, again.Count(b => burst.Contains(b)));
    }
}
