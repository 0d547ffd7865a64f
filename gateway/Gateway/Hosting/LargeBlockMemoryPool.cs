using System.Buffers;

namespace Gateway.Hosting;

/// Socket read and write buffers in 64 KiB blocks instead of Kestrel's default 4 KiB: each socket read then takes up to
/// 64 KiB, so a 1 MiB message crosses the client leg in 16 reads instead of 256 (Caddy streams with 32 KiB
/// buffers, HAProxy with 16 KiB). Idle connections hold no block: SocketPipe waits for data before renting one, and
/// a block goes back here as soon as the relay has consumed it. Blocks are reused, so reads allocate nothing;
/// beyond MaxRetainedBlocks, returned blocks are left to the GC so a burst does not pin memory forever. Last in, first
/// out: the block rented next is the one just returned, still in the CPU's cache, so a busy relay cycles through a few
/// warm blocks instead of all retained ones (a queue made every read land in a cold block).
public sealed class LargeBlockMemoryPool : MemoryPool<byte>
{
    public const int BlockSize = 64 * 1024;

    /// 16 MiB: every block of a hundred busy sessions (two legs each) stays in the pool.
    private const int MaxRetainedBlocks = 256;

    /// One pool for the process: the listeners' connections and the upstream connections share its blocks.
    public static LargeBlockMemoryPool Instance { get; } = new();

    private readonly Block?[] _blocks = new Block?[MaxRetainedBlocks];
    private readonly Lock _sync = new();
    private int _count;

    public override int MaxBufferSize => BlockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        // Pipes ask for at most MaxBufferSize from a pool and allocate larger buffers themselves.
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        lock (_sync)
        {
            if (_count > 0)
            {
                var block = _blocks[--_count]!;
                _blocks[_count] = null;
                return block;
            }
        }

        return new Block(this);
    }

    protected override void Dispose(bool disposing)
    {
    }

    private void Return(Block block)
    {
        lock (_sync)
        {
            if (_count < MaxRetainedBlocks)
            {
                _blocks[_count++] = block;
            }
        }
    }

    private sealed class Block(LargeBlockMemoryPool pool) : IMemoryOwner<byte>
    {
        // Not pinned: sockets on Linux (epoll) copy into the span when data is ready and pin nothing while waiting.
        private readonly byte[] _array = GC.AllocateUninitializedArray<byte>(BlockSize);

        public Memory<byte> Memory => _array;

        public void Dispose() => pool.Return(this);
    }
}
