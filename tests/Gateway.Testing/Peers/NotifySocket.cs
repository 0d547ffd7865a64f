using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace Gateway.Testing.Peers;

/// What systemd listens on for sd_notify: a unix datagram socket, bound at a file path or (name starting with `@`)
/// in Linux's abstract namespace. Collects every datagram received, in order.
public sealed class NotifySocket : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly Channel<string> _received = Channel.CreateUnbounded<string>();
    private readonly string? _file;
    private readonly Task _loop;

    public NotifySocket(bool abstractNamespace = false)
    {
        var name = $"gateway-notify-{Guid.NewGuid():N}";
        if (abstractNamespace)
        {
            Path = "@" + name;
            _socket.Bind(new UnixDomainSocketEndPoint("\0" + name));
        }
        else
        {
            _file = System.IO.Path.Combine(System.IO.Path.GetTempPath(), name + ".sock");
            Path = _file;
            _socket.Bind(new UnixDomainSocketEndPoint(_file));
        }

        _loop = ReceiveLoopAsync();
    }

    /// The value for $NOTIFY_SOCKET.
    public string Path { get; }

    /// The next datagram, or an exception after `timeout`.
    public async Task<string> NextAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        return await _received.Reader.ReadAsync(cts.Token);
    }

    /// Datagrams until one containing `text` (returned last), all of them in order.
    public async Task<List<string>> UntilAsync(string text, TimeSpan timeout)
    {
        var seen = new List<string>();
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"no notification with {text}; got:\n" + string.Join("\n--\n", seen));
            }

            try
            {
                seen.Add(await NextAsync(left));
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no notification with {text}; got:\n" + string.Join("\n--\n", seen));
            }

            if (seen[^1].Split('\n').Contains(text))
            {
                return seen;
            }
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                int length = await _socket.ReceiveAsync(buffer);
                await _received.Writer.WriteAsync(Encoding.UTF8.GetString(buffer, 0, length));
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            _received.Writer.TryComplete();
        }
    }

    public void Dispose()
    {
        _socket.Dispose();
        if (_file is not null)
        {
            File.Delete(_file);
        }
    }
}
