using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Testing.Peers;

/// A WebSocket client over a raw TCP (or TLS) socket, for requests and frames no polite client sends.
public static class RawClient
{
    /// A valid client key (RFC 6455 4.1) for tests that do not care about it.
    public const string SampleKey = "dGhlIHNhbXBsZSBub25jZQ==";

    public sealed record Response(HttpHead Head, string Body, FrameStream Frames) : IAsyncDisposable
    {
        public int Status => Head.Status;

        public ValueTask DisposeAsync() => Frames.DisposeAsync();
    }

    /// The usual upgrade request for `path`, with headers added or replaced (a null value removes one).
    public static string UpgradeRequest(string path, string host, IDictionary<string, string?>? overrides = null,
        string method = "GET", string version = "HTTP/1.1")
    {
        var headers = new List<KeyValuePair<string, string?>>
        {
            new("Host", host),
            new("Upgrade", "websocket"),
            new("Connection", "Upgrade"),
            new("Sec-WebSocket-Key", SampleKey),
            new("Sec-WebSocket-Version", "13"),
        };
        foreach (var (name, value) in overrides ?? new Dictionary<string, string?>())
        {
            headers.RemoveAll(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase));
            if (value is not null)
            {
                headers.Add(new(name, value));
            }
        }

        var text = new StringBuilder($"{method} {path} {version}\r\n");
        foreach (var (name, value) in headers)
        {
            text.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        return text.Append("\r\n").ToString();
    }

    /// Sends `request` raw and reads the response head, then the body when the status is not 101.
    public static async Task<Response> SendAsync(Uri gateway, string request, bool tls = false,
        System.Security.Cryptography.X509Certificates.X509CertificateCollection? clientCertificates = null)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(gateway.Host, gateway.Port);
        Stream stream = client.GetStream();
        if (tls)
        {
            var ssl = new SslStream(stream, false, (_, _, _, _) => true);
            await ssl.AuthenticateAsClientAsync("localhost", clientCertificates, checkCertificateRevocation: false);
            stream = ssl;
        }

        await stream.WriteAsync(Encoding.Latin1.GetBytes(request));
        var (head, rest) = await HttpHead.ReadAsync(stream, FrameStream.DefaultTimeout);
        if (head is null)
        {
            throw new IOException("no response head from the gateway");
        }

        string body = "";
        if (head.Status != 101)
        {
            int length = int.TryParse(head["Content-Length"], out var n) ? n : -1;
            bool chunked = head["Transfer-Encoding"]?.Contains("chunked", StringComparison.OrdinalIgnoreCase) == true;
            var bytes = new List<byte>(rest);
            var buffer = new byte[4096];
            using var cts = new CancellationTokenSource(FrameStream.DefaultTimeout);
            while (length >= 0 ? bytes.Count < length : !chunked || !IsEndOfChunked(bytes))
            {
                int read = await stream.ReadAsync(buffer, cts.Token);
                if (read == 0)
                {
                    break;
                }

                bytes.AddRange(buffer.AsSpan(0, read));
            }

            body = Encoding.UTF8.GetString(chunked && length < 0 ? Dechunk(bytes.ToArray()) : bytes.ToArray());
            rest = [];
        }

        return new Response(head, body, new FrameStream(stream, rest));
    }

    /// Connects with a normal handshake and asserts nothing: callers check Status.
    public static Task<Response> ConnectAsync(Uri gateway, string path, IDictionary<string, string?>? overrides = null) =>
        SendAsync(gateway, UpgradeRequest(path, gateway.Authority, overrides), gateway.Scheme is "wss" or "https");

    private static bool IsEndOfChunked(List<byte> bytes) =>
        bytes.Count >= 5 && Encoding.Latin1.GetString(bytes.ToArray()).EndsWith("0\r\n\r\n", StringComparison.Ordinal);

    private static byte[] Dechunk(byte[] data)
    {
        var text = Encoding.Latin1.GetString(data);
        var body = new StringBuilder();
        int at = 0;
        while (at < text.Length)
        {
            int lineEnd = text.IndexOf("\r\n", at, StringComparison.Ordinal);
            if (lineEnd < 0)
            {
                break;
            }

            int size = Convert.ToInt32(text[at..lineEnd].Split(';')[0], 16);
            if (size == 0)
            {
                break;
            }

            body.Append(text, lineEnd + 2, size);
            at = lineEnd + 2 + size + 2;
        }

        return Encoding.Latin1.GetBytes(body.ToString());
    }
}
