using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Gateway.Testing.Peers;

/// An upstream on a raw loopback socket that answers the gateway's handshake the way a test says (correctly, with
/// a status, with a wrong accept key, not at all) and then hands the connection to the test as a FrameStream.
/// Records each upgrade request it received.
public sealed class ScriptedUpstream : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<HttpHead, string?> _answer;
    private readonly System.Threading.Channels.Channel<(HttpHead Request, FrameStream Frames)> _accepted =
        System.Threading.Channels.Channel.CreateUnbounded<(HttpHead, FrameStream)>();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _clients = [];
    private readonly Task _loop;

    /// `answer` gives the raw response head to send for a request (null: send nothing, keep the socket open).
    public ScriptedUpstream(Func<HttpHead, string?> answer)
    {
        _answer = answer;
        _listener.Start();
        _loop = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public Uri Address => new($"ws://127.0.0.1:{Port}");

    /// A correct 101 (RFC 6455 4.2.2), optionally picking `subprotocol`.
    public static string SwitchingProtocols(HttpHead request, string? subprotocol = null) =>
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        $"Sec-WebSocket-Accept: {Accept(request["Sec-WebSocket-Key"]!)}\r\n" +
        (subprotocol is null ? "" : $"Sec-WebSocket-Protocol: {subprotocol}\r\n") + "\r\n";

    public static string Accept(string key) =>
        Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));

    /// An upstream that accepts every handshake.
    public static ScriptedUpstream Accepting() => new(request => SwitchingProtocols(request));

    /// The next connection whose handshake was answered, with the request the gateway sent.
    public async Task<(HttpHead Request, FrameStream Frames)> AcceptAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? FrameStream.DefaultTimeout);
        return await _accepted.Reader.ReadAsync(cts.Token);
    }

    public int ConnectionCount { get; private set; }

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                lock (_clients)
                {
                    _clients.Add(client);
                    ConnectionCount++;
                }

                _ = AnswerAsync(client);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    }

    private async Task AnswerAsync(TcpClient client)
    {
        client.NoDelay = true;
        var stream = client.GetStream();
        var (request, rest) = await HttpHead.ReadAsync(stream, TimeSpan.FromSeconds(30));
        if (request is null)
        {
            return;
        }

        var answer = _answer(request);
        if (answer is null)
        {
            return;
        }

        await stream.WriteAsync(Encoding.Latin1.GetBytes(answer));
        await _accepted.Writer.WriteAsync((request, new FrameStream(stream, rest)));
    }

    /// Drops every connection with a reset (SO_LINGER 0), as a crashed server does.
    public void ResetAll()
    {
        lock (_clients)
        {
            foreach (var client in _clients)
            {
                client.Client.LingerState = new LingerOption(true, 0);
                client.Dispose();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _loop;
        lock (_clients)
        {
            foreach (var client in _clients)
            {
                client.Dispose();
            }
        }
    }
}
