using System.Net;
using System.Net.Sockets;
using static Gateway.LoadTool.Tunnel.Native;
using Gateway.Tls.OpenSsl;
using static Gateway.Tls.OpenSsl.LibSsl;

namespace Gateway.LoadTool.Tunnel;

/// nginx's way of proxying, written in C#, as a comparison target (`epoll-tunnel` in compare.sh): one epoll loop
/// per core, each with its own listening sockets (SO_REUSEPORT), non-blocking descriptors and plain libc calls (no
/// .NET sockets, no streams, no tasks); on the TLS listener OpenSSL reads and writes the descriptor itself (no
/// SslStream). Bytes are copied both ways to the upstream without a look at them. It answers whether a .NET
/// process can reach nginx's CPU per message, and with TLS outside SslStream per TLS message and per new TLS
/// session. No limits, no logs. With `--frames 1` (target `epoll-frames` in compare.sh) every frame is decoded,
/// checked and remasked on the way (FrameRelay): the least frame work, in the cheapest structure.
public static class EpollTunnel
{
    public static Task RunAsync(IPEndPoint listen, IPEndPoint tlsListen, IPEndPoint upstream, string certPath, string keyPath,
        bool frames, CancellationToken cancellationToken)
    {
        var context = ServerContextFromPemFiles(certPath, keyPath);
        var loops = Enumerable.Range(0, Environment.ProcessorCount)
            .Select(_ => new TunnelLoop(listen, tlsListen, upstream, context, frames)).ToList();
        Console.WriteLine($"epoll tunnel{(frames ? " (frame mode)" : "")} listening on ws://{listen} and wss://{tlsListen} to ws://{upstream} ({loops.Count} loops)");
        var threads = loops.Select(loop => new Thread(() => loop.Run(cancellationToken)) { IsBackground = true, Name = "tunnel loop" }).ToList();
        threads.ForEach(t => t.Start());
        return Task.Run(() => threads.ForEach(t => t.Join()), CancellationToken.None);
    }
}

/// One loop: its listening sockets, its epoll, and the connections it accepted. An event's data is the
/// connection's slot times two plus the side (0 client, 1 upstream); a listener's is ulong.MaxValue (plain) or
/// ulong.MaxValue - 1 (TLS).
internal sealed unsafe class TunnelLoop
{
    private const ulong ListenerData = ulong.MaxValue;
    private const ulong TlsListenerData = ulong.MaxValue - 1;

    private readonly Socket _listener;
    private readonly Socket _tlsListener;
    private readonly byte[] _upstreamAddress;
    private readonly SslContextHandle _context;
    private readonly bool _frames;
    private readonly List<TunnelConnection?> _slots = [];
    private readonly Stack<int> _free = new();
    private readonly List<int> _freedThisBatch = [];

    public TunnelLoop(IPEndPoint listen, IPEndPoint tlsListen, IPEndPoint upstream, SslContextHandle context, bool frames)
    {
        _context = context;
        _frames = frames;
        _listener = Listen(listen);
        _tlsListener = Listen(tlsListen);
        // struct sockaddr_in: family, port (network order), address, zero padding.
        _upstreamAddress = new byte[16];
        BitConverter.TryWriteBytes(_upstreamAddress.AsSpan(0, 2), (ushort)2 /* AF_INET */);
        _upstreamAddress[2] = (byte)(upstream.Port >> 8);
        _upstreamAddress[3] = (byte)upstream.Port;
        upstream.Address.GetAddressBytes().CopyTo(_upstreamAddress, 4);
        Epoll = epoll_create1(0);
        Add((int)_listener.Handle, EpollIn, ListenerData);
        Add((int)_tlsListener.Handle, EpollIn, TlsListenerData);
    }

    public int Epoll { get; }

    public void Run(CancellationToken cancellationToken)
    {
        const int Max = 256;
        var events = stackalloc EpollEvent[Max];
        while (!cancellationToken.IsCancellationRequested)
        {
            int count = epoll_wait(Epoll, events, Max, 200);
            for (int i = 0; i < count; i++)
            {
                ulong data = events[i].Data;
                if (data >= TlsListenerData)
                {
                    AcceptAll(data == TlsListenerData ? _tlsListener : _listener, data == TlsListenerData);
                }
                else if (_slots[(int)(data >> 1)] is { } connection)
                {
                    connection.OnEvent((int)(data & 1), events[i].Events);
                }
            }

            // A slot freed in this batch is reused only after it: a later event of the batch may still name it.
            foreach (int slot in _freedThisBatch)
            {
                _free.Push(slot);
            }

            _freedThisBatch.Clear();
        }

        _listener.Dispose();
        _tlsListener.Dispose();
    }

    public void Add(int fd, uint events, ulong data)
    {
        var ev = new EpollEvent { Events = events, Data = data };
        epoll_ctl(Epoll, 1 /* ADD */, fd, &ev);
    }

    public void Modify(int fd, uint events, ulong data)
    {
        var ev = new EpollEvent { Events = events, Data = data };
        epoll_ctl(Epoll, 3 /* MOD */, fd, &ev);
    }

    public int ConnectUpstream()
    {
        int fd = socket(2 /* AF_INET */, 1 /* SOCK_STREAM */ | SockNonBlock, 0);
        SetOption(fd, 6 /* IPPROTO_TCP */, 1 /* TCP_NODELAY */, 1);
        fixed (byte* address = _upstreamAddress)
        {
            if (connect(fd, address, _upstreamAddress.Length) != 0 && System.Runtime.InteropServices.Marshal.GetLastPInvokeError() != EInProgress)
            {
                close(fd);
                return -1;
            }
        }

        return fd;
    }

    public void Release(int slot)
    {
        _slots[slot] = null;
        _freedThisBatch.Add(slot);
    }

    private static Socket Listen(IPEndPoint endPoint)
    {
        var listener = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.SetRawSocketOption(1 /* SOL_SOCKET */, 15 /* SO_REUSEPORT */, BitConverter.GetBytes(1));
        listener.Bind(endPoint);
        listener.Listen(4096);
        listener.Blocking = false;
        return listener;
    }

    private void AcceptAll(Socket listener, bool tls)
    {
        while (true)
        {
            int fd = accept4((int)listener.Handle, 0, 0, SockNonBlock);
            if (fd < 0)
            {
                return; // EAGAIN: nothing more to accept (or an error the next event will show again)
            }

            SetOption(fd, 6 /* IPPROTO_TCP */, 1 /* TCP_NODELAY */, 1);
            int slot;
            if (_free.Count > 0)
            {
                slot = _free.Pop();
            }
            else
            {
                slot = _slots.Count;
                _slots.Add(null);
            }

            var connection = new TunnelConnection(this, slot, fd, tls ? SSL_new(_context) : null, _frames);
            _slots[slot] = connection;
            Add(fd, EpollIn, (ulong)slot << 1);
            connection.Start();
        }
    }
}
