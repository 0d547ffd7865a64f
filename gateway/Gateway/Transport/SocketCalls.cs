using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Gateway.Transport;

/// The transport's non-blocking socket calls, made on the descriptor directly: receive and send with MSG_DONTWAIT,
/// connect on a descriptor made non-blocking for it. The Socket objects stay in .NET's blocking mode and never see
/// a call of their own on the relay path, so .NET creates no asynchronous context for them (about 300 bytes and
/// three locks per socket that an idle session held for nothing), and a relayed read or write is one libc call
/// with no layers of .NET's socket code in between. The SafeHandle arguments keep a descriptor open while a call
/// runs, as .NET's own calls do; a disposed socket fails with ObjectDisposedException.
internal static unsafe partial class SocketCalls
{
    private const int DontWait = 0x40; // MSG_DONTWAIT
    private const int NoSignal = 0x4000; // MSG_NOSIGNAL: a reset peer is an error, not SIGPIPE
    private const int GetFlags = 3; // F_GETFL
    private const int SetFlags = 4; // F_SETFL
    private const int NonBlocking = 0x800; // O_NONBLOCK
    private const int Interrupted = 4; // EINTR
    private const int InProgress = 115; // EINPROGRESS

    public static int Receive(Socket socket, Span<byte> buffer, out SocketError status)
    {
        fixed (byte* bytes = buffer)
        {
            int done;
            while (WasInterrupted(recv(socket.SafeHandle, bytes, (nuint)buffer.Length, DontWait), out done, out status))
            {
            }

            return done;
        }
    }

    public static int Send(Socket socket, ReadOnlySpan<byte> buffer, out SocketError status)
    {
        fixed (byte* bytes = buffer)
        {
            int done;
            while (WasInterrupted(send(socket.SafeHandle, bytes, (nuint)buffer.Length, DontWait | NoSignal), out done, out status))
            {
            }

            return done;
        }
    }

    /// The most buffers one SendGather passes (a frame header's block and the blocks its payload spilled into).
    public const int MaxGather = 8;

    /// Sends up to MaxGather buffers, in order, with one sendmsg: what a write that spilled over blocks would
    /// otherwise send with a call per block (a small one for the block's tail among them). Returns the bytes the
    /// kernel took, which may end anywhere in the buffers.
    public static int SendGather(Socket socket, ReadOnlySpan<ReadOnlyMemory<byte>> buffers, out SocketError status)
    {
        int count = Math.Min(buffers.Length, MaxGather);
        var vectors = stackalloc IoVector[count];
        return PinAndSend(socket, buffers[..count], vectors, 0, out status);
    }

    /// Pins buffers[index..] one `fixed` deeper each, then sends them all. A `fixed` pin is a stack slot the GC
    /// reads; Memory.Pin() would allocate and free a GC handle per buffer on every gathered send.
    private static int PinAndSend(Socket socket, ReadOnlySpan<ReadOnlyMemory<byte>> buffers, IoVector* vectors, int index,
        out SocketError status)
    {
        if (index < buffers.Length)
        {
            var buffer = buffers[index].Span;
            fixed (byte* bytes = buffer)
            {
                vectors[index] = new IoVector { Base = bytes, Length = (nuint)buffer.Length };
                return PinAndSend(socket, buffers, vectors, index + 1, out status);
            }
        }

        var message = new MessageHeader { Vectors = vectors, VectorCount = (nuint)buffers.Length };
        int done;
        while (WasInterrupted(sendmsg(socket.SafeHandle, &message, DontWait | NoSignal), out done, out status))
        {
        }

        return done;
    }

    /// Starts a connect on a descriptor made non-blocking for good (every later call passes MSG_DONTWAIT anyway).
    /// True if it completed at once; false if it is in progress (wait until writable, then read SO_ERROR).
    public static bool StartConnect(Socket socket, IPEndPoint endPoint)
    {
        MakeNonBlocking(socket);
        // .NET's SocketAddress holds the native sockaddr for the address family.
        var address = endPoint.Serialize();
        fixed (byte* bytes = address.Buffer.Span)
        {
            while (true)
            {
                if (connect(socket.SafeHandle, bytes, (uint)address.Size) == 0)
                {
                    return true;
                }

                int errno = Marshal.GetLastPInvokeError();
                if (errno == InProgress)
                {
                    return false;
                }

                if (errno != Interrupted)
                {
                    throw new SocketException((int)ToSocketError(errno));
                }
            }
        }
    }

    /// Makes the descriptor non-blocking for good, for calls that cannot pass MSG_DONTWAIT: connect, and OpenSSL's
    /// own reads and writes (TlsSession). .NET's Socket is not told: it makes no calls of its own on it.
    public static void MakeNonBlocking(Socket socket)
    {
        int flags = fcntl(socket.SafeHandle, GetFlags, 0);
        if (flags < 0 || fcntl(socket.SafeHandle, SetFlags, flags | NonBlocking) < 0)
        {
            throw new SocketException((int)ToSocketError(Marshal.GetLastPInvokeError()));
        }
    }

    /// A call's outcome: the bytes it moved and its status; true if a signal interrupted it (call again).
    private static bool WasInterrupted(nint result, out int done, out SocketError status)
    {
        done = (int)Math.Max(result, 0);
        status = SocketError.Success;
        if (result >= 0)
        {
            return false;
        }

        int errno = Marshal.GetLastPInvokeError();
        status = ToSocketError(errno);
        return errno == Interrupted;
    }

    private static SocketError ToSocketError(int errno) => errno switch
    {
        11 => SocketError.WouldBlock, // EAGAIN
        104 => SocketError.ConnectionReset,
        32 => SocketError.Shutdown, // EPIPE, as .NET reports it
        107 => SocketError.NotConnected,
        110 => SocketError.TimedOut,
        111 => SocketError.ConnectionRefused,
        113 => SocketError.HostUnreachable,
        101 => SocketError.NetworkUnreachable,
        99 => SocketError.AddressNotAvailable,
        103 => SocketError.ConnectionAborted,
        _ => SocketError.SocketError,
    };

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint recv(SafeHandle fd, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint send(SafeHandle fd, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint sendmsg(SafeHandle fd, MessageHeader* message, int flags);

    /// struct iovec.
    private struct IoVector
    {
        public void* Base;
        public nuint Length;
    }

    /// struct msghdr (no address, no control data).
    private struct MessageHeader
    {
        public void* Name;
        public uint NameLength;
        public IoVector* Vectors;
        public nuint VectorCount;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int connect(SafeHandle fd, byte* address, uint length);

    /// fcntl is variadic (`int fcntl(int fd, int cmd, ...)`), and P/Invoke has no variadic calls. A fixed third int
    /// is passed as the variadic one is on x64 System V (a general register; AL, the count of vector registers,
    /// is left unset, which glibc's fcntl only uses to decide whether to spill them) and on Linux AArch64 (AAPCS64
    /// passes variadic ints in registers too). Not portable beyond those: Apple's arm64 passes variadic arguments
    /// on the stack.
    [LibraryImport("libc", SetLastError = true)]
    private static partial int fcntl(SafeHandle fd, int command, int argument);
}
