using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;

namespace Gateway.LoadTool.Client;

/// One client WebSocket over a blocking socket (and TLS for wss://), upgraded and ready for pre-built frames.
/// Blocking I/O on dedicated threads keeps the tool's own cost per message at a system call or two.
public sealed class WsConnection : IDisposable
{
    private const int HandshakeTimeoutMs = 10_000;
    private const string SampleKey = "dGhlIHNhbXBsZSBub25jZQ==";

    private WsConnection(Socket socket, Stream stream)
    {
        Socket = socket;
        Stream = stream;
    }

    public Socket Socket { get; }
    public Stream Stream { get; }

    /// Connects from `source` (any 127.0.0.x spreads ephemeral ports), does TLS 1.3 for wss:// (a full handshake
    /// unless `allowResume`), sends the upgrade request and checks for a 101.
    public static WsConnection Open(Uri url, IPAddress? source = null, bool allowResume = false)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream? stream = null;
        try
        {
            if (source is not null)
            {
                socket.Bind(new IPEndPoint(source, 0));
            }

            socket.Connect(IPAddress.Parse(url.Host), url.Port);
            socket.ReceiveTimeout = HandshakeTimeoutMs;
            socket.SendTimeout = HandshakeTimeoutMs;
            stream = new NetworkStream(socket, ownsSocket: true);
            if (url.Scheme == "wss")
            {
                var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = tls;
                tls.AuthenticateAsClient(new SslClientAuthenticationOptions
                {
                    TargetHost = "localhost",
                    EnabledSslProtocols = SslProtocols.Tls13,
                    AllowTlsResume = allowResume,
                    // A loopback measurement against the certificate compare.sh made: trust is not the question.
                    RemoteCertificateValidationCallback = (_, _, _, _) => true,
                });
            }

            Upgrade(stream, url);
            socket.ReceiveTimeout = 0;
            socket.SendTimeout = 0;
            return new WsConnection(socket, stream);
        }
        catch
        {
            if (stream is null)
            {
                socket.Dispose();
            }
            else
            {
                stream.Dispose();
            }

            throw;
        }
    }

    private static void Upgrade(Stream stream, Uri url)
    {
        string request = $"GET {url.PathAndQuery} HTTP/1.1\r\nHost: {url.Authority}\r\nUpgrade: websocket\r\n" +
            $"Connection: Upgrade\r\nSec-WebSocket-Key: {SampleKey}\r\nSec-WebSocket-Version: 13\r\n\r\n";
        stream.Write(Encoding.ASCII.GetBytes(request));

        // The server sends nothing after the 101 until a frame arrives, so the head is all there is to read.
        var head = new byte[4096];
        int length = 0;
        while (head.AsSpan(0, length).IndexOf("\r\n\r\n"u8) < 0)
        {
            int read = length < head.Length ? stream.Read(head, length, head.Length - length) : 0;
            if (read == 0)
            {
                throw new IOException("no complete response to the upgrade request");
            }

            length += read;
        }

        if (!head.AsSpan(0, length).StartsWith("HTTP/1.1 101"u8))
        {
            string status = Encoding.ASCII.GetString(head, 0, Math.Min(length, 64)).Split('\r')[0];
            throw new IOException($"upgrade refused: {status}");
        }
    }

    /// Sends a Close (1000) and waits up to `timeoutMs` for the peer's Close or the end of the stream.
    public void CloseGracefully(int timeoutMs)
    {
        try
        {
            Socket.ReceiveTimeout = timeoutMs;
            Stream.Write(PrebuiltFrames.Close);
            var counter = new MessageCounter();
            var buffer = new byte[4096];
            int read;
            while (!counter.CloseSeen && (read = Stream.Read(buffer)) > 0)
            {
                counter.Feed(buffer.AsSpan(0, read), out _);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
        }
    }

    public void Dispose() => Stream.Dispose();
}
