using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace Gateway.Transport;

/// One thread waiting on one epoll set for the readiness of the gateway's connected sockets, one loop per core,
/// each socket on one loop for its life. A socket is registered once, edge-triggered, for reads and writes both,
/// and an event only marks the socket's SocketReadiness (and wakes whoever waits on it): the reads and writes
/// themselves are non-blocking calls made by the reader and the writer. Unlike a zero-byte receive through .NET's
/// own socket engine, a wait here costs no system call when the socket is known to be ready, and none to probe
/// it when it is known to be drained, and an idle socket holds two small waiters instead of two socket operations.
///
/// Continuations run on the loop thread when the gateway runs inline socket completions (TransportTuning), as
/// .NET's engine would run them; otherwise on the thread pool (tests host the gateway beside code that blocks).
internal sealed unsafe class SocketEventLoop
{
    private const int MaxEventsPerWait = 256;

    private static readonly Lazy<SocketEventLoop[]> s_loops = new(StartLoops);
    private static int s_next;
    private static uint s_lastRegistration;

    private readonly int _epoll;
    private readonly int _index;
    private readonly Lock _slotsLock = new();
    private SocketReadiness?[] _slots = new SocketReadiness?[256];
    private readonly Stack<int> _freeSlots = new();
    private int _usedSlots;

    private SocketEventLoop(int index)
    {
        _epoll = Epoll.Create();
        _index = index;
        var thread = new Thread(Run) { IsBackground = true, Name = $"Socket loop {index}" };
        thread.UnsafeStart();
    }

    /// Whether continuations run on the loop thread: the same switch as .NET's socket engine.
    public static bool InlineCompletions { get; } =
        Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") == "1";

    /// Where a loop reports what it survived (set by the transport, which has the host's logging).
    public static ILogger? FaultLogger { get; set; }

    /// The loop for the next socket: sockets are spread over the loops in turn.
    public static SocketEventLoop Next()
    {
        var loops = s_loops.Value;
        return loops[(int)((uint)Interlocked.Increment(ref s_next) % (uint)loops.Length)];
    }

    /// Registers `readiness` for its socket's reads and writes. The kernel reports a socket that is already ready
    /// at once, so nothing that happened before this call is missed.
    public void Add(SocketReadiness readiness, int fd)
    {
        uint registration = Interlocked.Increment(ref s_lastRegistration);
        int slot;
        lock (_slotsLock)
        {
            if (!_freeSlots.TryPop(out slot))
            {
                slot = _usedSlots++;
                if (slot == _slots.Length)
                {
                    var grown = new SocketReadiness?[_slots.Length * 2];
                    _slots.CopyTo(grown, 0);
                    Volatile.Write(ref _slots, grown);
                }
            }

            readiness.Slot = slot;
            readiness.Registration = registration;
            _slots[slot] = readiness;
        }

        int errno = Epoll.Add(_epoll, fd, Epoll.In | Epoll.Out | Epoll.ReadHangUp | Epoll.EdgeTriggered,
            (ulong)registration << 32 | (uint)slot);
        if (errno != 0)
        {
            Free(slot);
            throw new System.ComponentModel.Win32Exception(errno);
        }
    }

    /// Unregisters the socket: `fd` while it is open, -1 if it was closed (which took it out of the set already).
    public void Remove(SocketReadiness readiness, int fd)
    {
        if (fd >= 0)
        {
            Epoll.Remove(_epoll, fd);
        }

        Free(readiness.Slot);
    }

    private void Free(int slot)
    {
        lock (_slotsLock)
        {
            _slots[slot] = null;
            _freeSlots.Push(slot);
        }
    }

    /// The loop never ends and never lets an exception out (that would end the process): an event whose
    /// continuation throws closes that socket's readiness (its owner then finds it closed and closes the connection)
    /// and the loop goes on; a failing epoll_wait is logged and retried after a pause, never in a tight loop.
    private void Run()
    {
        var events = (byte*)NativeMemory.Alloc((nuint)(MaxEventsPerWait * Epoll.EventSize));
        while (true)
        {
            int count;
            try
            {
                count = Epoll.Wait(_epoll, events, MaxEventsPerWait);
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                ReportFault("epoll_wait", e);
                Thread.Sleep(100);
                continue;
            }

            for (int i = 0; i < count; i++)
            {
                ulong data = Epoll.DataAt(events, i);
                int slot = (int)(uint)data;
                var slots = Volatile.Read(ref _slots);
                // An event read before its socket was removed may find the slot empty or reused: the registration
                // number tells a reused slot apart.
                if ((uint)slot < (uint)slots.Length && slots[slot] is { } readiness &&
                    readiness.Registration == (uint)(data >> 32))
                {
                    try
                    {
                        readiness.OnEvents(Epoll.EventsAt(events, i));
                    }
                    catch (Exception e)
                    {
                        ReportFault("a connection's continuation", e);
                        readiness.Fail();
                    }
                }
            }
        }
    }

    private void ReportFault(string what, Exception e)
    {
        try
        {
            if (FaultLogger is { } logger)
            {
                Diagnostics.Log.SocketLoopFault(logger, _index, what, e);
            }
        }
        catch
        {
            // A logger that throws must not end the loop either.
        }
    }

    private static SocketEventLoop[] StartLoops()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("the gateway's socket transport needs Linux (epoll)");
        }

        var loops = new SocketEventLoop[Math.Max(1, Environment.ProcessorCount)];
        for (int i = 0; i < loops.Length; i++)
        {
            loops[i] = new SocketEventLoop(i);
        }

        return loops;
    }
}
