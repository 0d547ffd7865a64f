using System.Buffers;

namespace Gateway.Transport;

/// Socket read and write buffers in 32 KiB blocks instead of Kestrel's default 4 KiB: each socket read then takes up to
/// 32 KiB, so a 1 MiB message crosses the client leg in 32 reads instead of 256 (Caddy streams with 32 KiB
/// buffers, HAProxy with 16 KiB). Idle connections hold no block: SocketPipe waits for data before renting one, and
/// a block goes back here as soon as the relay has consumed it. Blocks are reused, so reads allocate nothing;
/// beyond MaxRetainedBlocks, returned blocks are left to the GC so a burst does not pin memory forever. Last in, first
/// out: the block rented next is the one just returned, still in the CPU's cache, so a busy relay cycles through a few
/// warm blocks instead of all retained ones (a queue made every read land in a cold block). Each thread keeps the
/// two blocks it returned last and takes them again without the lock: a relaying event loop thread receives into
/// one block and writes into another, and gives both back, many times per millisecond.
public sealed class LargeBlockMemoryPool : MemoryPool<byte>
{
    /// 32 KiB: large enough that a large message moves in few system calls, small enough that the kernel's copies
    /// stay cheap (64 KiB cost more kernel time per GiB, 16 KiB more user time; tests/perf/README.md).
    public const int BlockSize = 32 * 1024;

    /// 8 MiB: every block of a hundred busy sessions (two legs each) stays in the pool (plus two per thread).
    private const int MaxRetainedBlocks = 256;

    /// One pool for the process: the listeners' connections and the upstream connections share its blocks.
    public static LargeBlockMemoryPool Instance { get; } = new();

    /// The calling thread's two last returned blocks, newest first (of whichever pool: Rent checks).
    [ThreadStatic]
    private static Block? t_last;

    [ThreadStatic]
    private static Block? t_beforeLast;

    private readonly Block?[] _blocks = new Block?[MaxRetainedBlocks];
    private readonly Lock _sync = new();
    private int _count;

    public override int MaxBufferSize => BlockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        // Pipes ask for at most MaxBufferSize from a pool and allocate larger buffers themselves.
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        if (t_last is { } last && last.Pool == this)
        {
            t_last = t_beforeLast;
            t_beforeLast = null;
            return last;
        }

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

    /// The returned block becomes the thread's newest; the oldest it kept goes to its pool's shared stack.
    private static void Return(Block block)
    {
        var oldest = t_beforeLast;
        t_beforeLast = t_last;
        t_last = block;
        oldest?.Pool.Push(oldest);
    }

    private void Push(Block block)
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
        public LargeBlockMemoryPool Pool => pool;

        // Not pinned: sockets on Linux (epoll) copy into the span when data is ready and pin nothing while waiting.
        private readonly byte[] _array = GC.AllocateUninitializedArray<byte>(BlockSize);

        public Memory<byte> Memory => _array;

        public void Dispose() => Return(this);
    }
}
