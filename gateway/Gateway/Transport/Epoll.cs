using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Gateway.Transport;

/// Linux epoll(7), as SocketEventLoop uses it.
internal static unsafe partial class Epoll
{
    public const uint In = 0x001;
    public const uint Out = 0x004;
    public const uint Error = 0x008;
    public const uint HangUp = 0x010;
    public const uint ReadHangUp = 0x2000;
    public const uint EdgeTriggered = 1u << 31;

    private const int CtlAdd = 1;
    private const int CtlDel = 2;
    private const int CloseOnExec = 0x80000;
    private const int Interrupted = 4; // EINTR

    /// struct epoll_event is packed on x86-64 (12 bytes) and naturally aligned elsewhere (16 bytes).
    public static readonly int EventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;
    private static readonly int DataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    public static int Create()
    {
        int fd = epoll_create1(CloseOnExec);
        return fd >= 0 ? fd : throw new System.ComponentModel.Win32Exception(Marshal.GetLastPInvokeError());
    }

    /// Returns the errno, 0 on success.
    public static int Add(int epoll, int fd, uint events, ulong data)
    {
        byte* ev = stackalloc byte[16];
        Unsafe.WriteUnaligned(ev, events);
        Unsafe.WriteUnaligned(ev + DataOffset, data);
        return epoll_ctl(epoll, CtlAdd, fd, ev) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    public static void Remove(int epoll, int fd)
    {
        byte* ev = stackalloc byte[16]; // kernels before 2.6.9 wanted one even for a removal
        epoll_ctl(epoll, CtlDel, fd, ev);
    }

    /// Waits without a time limit; a signal's interruption is retried here. Returns the number of events.
    public static int Wait(int epoll, byte* events, int capacity)
    {
        while (true)
        {
            int count = epoll_wait(epoll, events, capacity, -1);
            if (count >= 0)
            {
                return count;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno != Interrupted)
            {
                throw new System.ComponentModel.Win32Exception(errno);
            }
        }
    }

    public static uint EventsAt(byte* events, int index) => Unsafe.ReadUnaligned<uint>(events + index * EventSize);

    public static ulong DataAt(byte* events, int index) => Unsafe.ReadUnaligned<ulong>(events + index * EventSize + DataOffset);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_create1(int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_ctl(int epfd, int op, int fd, void* ev);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_wait(int epfd, void* events, int maxevents, int timeout);
}
