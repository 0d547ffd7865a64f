using System.Runtime.InteropServices;

namespace Gateway.LoadTool.Tunnel;

/// The libc calls EpollTunnel makes: non-blocking sockets on epoll (OpenSSL's are the gateway's LibSsl).
/// Linux on x86-64 only, as the comparison runs.
internal static unsafe partial class Native
{
    private const string LibC = "libc";

    public const int EAgain = 11;
    public const int EInProgress = 115;
    public const int SockNonBlock = 0x800;
    public const uint EpollIn = 0x001;
    public const uint EpollOut = 0x004;
    public const uint EpollErrorOrHangUp = 0x008 | 0x010;

    /// struct epoll_event, packed on x86-64.
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    public struct EpollEvent
    {
        public uint Events;
        public ulong Data;
    }

    [LibraryImport(LibC, SetLastError = true)]
    public static partial int epoll_create1(int flags);

    [LibraryImport(LibC, SetLastError = true)]
    public static partial int epoll_ctl(int epoll, int operation, int fd, EpollEvent* ev);

    [LibraryImport(LibC, SetLastError = true)]
    public static partial int epoll_wait(int epoll, EpollEvent* events, int max, int timeoutMs);

    [LibraryImport(LibC, SetLastError = true)]
    public static partial int accept4(int fd, nint address, nint length, int flags);

    [LibraryImport(LibC, SetLastError = true)]
    public static partial int socket(int domain, int type, int protocol);

    [LibraryImport(LibC, SetLastError = true)]
    public static partial int connect(int fd, byte* address, int length);

    [LibraryImport(LibC, SetLastError = true)]
    public static partial nint recv(int fd, byte* buffer, nint length, int flags);

    [LibraryImport(LibC, SetLastError = true)]
    public static partial nint send(int fd, byte* buffer, nint length, int flags);

    [LibraryImport(LibC, SetLastError = true)]
    public static partial int setsockopt(int fd, int level, int name, int* value, int length);

    [LibraryImport(LibC)]
    public static partial int close(int fd);

    /// Sets an int socket option; `level` and `name` as in setsockopt(2).
    public static void SetOption(int fd, int level, int name, int value) => setsockopt(fd, level, name, &value, sizeof(int));
}
