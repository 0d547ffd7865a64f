using System.Buffers;
using System.Text;
using Gateway.Protocol.Handshake;

namespace Gateway.Protocol.Tests.Handshake;

public class ClientHandshakeRequestTests
{
    private const string Key = "dGhlIHNhbXBsZSBub25jZQ==";

    private static string Write(string path = "/chat", string host = "server.example.com", string key = Key,
        string[]? subprotocols = null, params (string Name, string Value)[] extras) =>
        Write(new ArrayBufferWriter<byte>(), path, host, key, subprotocols, extras);

    private static string Write(ArrayBufferWriter<byte> output, string path = "/chat",
        string host = "server.example.com", string key = Key, string[]? subprotocols = null,
        params (string Name, string Value)[] extras)
    {
        ClientHandshake.WriteRequest(output, path, host, key, subprotocols ?? [],
            extras.Select(e => KeyValuePair.Create(e.Name, e.Value)));
        return Encoding.Latin1.GetString(output.WrittenSpan);
    }

    [Fact]
    public void Exact_bytes_of_a_request_with_subprotocols_and_extra_headers()
    {
        var request = Write("/chat?room=1", "server.example.com:9000", Key, ["chat", "superchat"],
            ("Cookie", "session=abc"), ("X-Auth-Subject", "alice"));

        Assert.Equal(
            "GET /chat?room=1 HTTP/1.1\r\n" +
            "Host: server.example.com:9000\r\n" +
            "Upgrade: websocket\r\n" +
            "Connection: Upgrade\r\n" +
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
            "Sec-WebSocket-Version: 13\r\n" +
            "Sec-WebSocket-Protocol: chat, superchat\r\n" +
            "Cookie: session=abc\r\n" +
            "X-Auth-Subject: alice\r\n" +
            "\r\n",
            request);
    }

    [Fact]
    public void Exact_bytes_of_a_minimal_request_in_hex()
    {
        var output = new ArrayBufferWriter<byte>();
        ClientHandshake.WriteRequest(output, "/", "h", Key, [], []);

        Assert.Equal(
            "474554202F20485454502F312E310D0A" +                                       // GET / HTTP/1.1
            "486F73743A20680D0A" +                                                     // Host: h
            "557067726164653A20776562736F636B65740D0A" +                               // Upgrade: websocket
            "436F6E6E656374696F6E3A20557067726164650D0A" +                             // Connection: Upgrade
            "5365632D576562536F636B65742D4B65793A20" +                                 // Sec-WebSocket-Key:
            "6447686C49484E68625842735A5342756232356A5A513D3D0D0A" +                   // dGhlIHNhbXBsZSBub25jZQ==
            "5365632D576562536F636B65742D56657273696F6E3A2031330D0A" +                 // Sec-WebSocket-Version: 13
            "0D0A",
            Convert.ToHexString(output.WrittenSpan));
    }

    [Fact]
    public void Appends_after_what_the_writer_already_holds()
    {
        var output = new ArrayBufferWriter<byte>();
        output.Write("xy"u8);
        ClientHandshake.WriteRequest(output, "/", "h", Key, [], []);

        Assert.StartsWith("xyGET / HTTP/1.1\r\n", Encoding.ASCII.GetString(output.WrittenSpan));
        Assert.EndsWith("13\r\n\r\n", Encoding.ASCII.GetString(output.WrittenSpan));
    }

    [Fact]
    public void Never_writes_extensions_and_omits_protocol_when_none()
    {
        var request = Write();

        Assert.DoesNotContain("Sec-WebSocket-Extensions", request);
        Assert.DoesNotContain("Sec-WebSocket-Protocol", request);
    }

    [Fact]
    public void Lazy_extra_headers_are_enumerated_once()
    {
        var enumerations = 0;
        IEnumerable<KeyValuePair<string, string>> Extras()
        {
            enumerations++;
            yield return KeyValuePair.Create("X-A", "1");
        }
        var output = new ArrayBufferWriter<byte>();

        ClientHandshake.WriteRequest(output, "/", "h", Key, [], Extras());

        Assert.Equal(1, enumerations);
        Assert.EndsWith("X-A: 1\r\n\r\n", Encoding.ASCII.GetString(output.WrittenSpan));
    }

    [Theory]
    [InlineData("chat")]
    [InlineData("/chat HTTP/1.1\r\nX-Evil: 1\r\nY:")]
    [InlineData("/a b")]
    [InlineData("/a\tb")]
    [InlineData("/a\nb")]
    [InlineData("/a\u0000")]
    [InlineData("/caf\u00e9")]
    [InlineData("/a#fragment")]
    [InlineData("")]
    [InlineData("http://example.com/")]
    public void Bad_request_target_throws(string path)
    {
        AssertRefused(output => Write(output, path: path));
    }

    [Theory]
    [InlineData("")]
    [InlineData("h\r\nX-Evil: 1")]
    [InlineData("h x")]
    [InlineData("h\u0000")]
    [InlineData("h\u00e9")]
    public void Bad_host_throws(string host)
    {
        AssertRefused(output => Write(output, host: host));
    }

    [Theory]
    [InlineData("X-A", "1\r\nX-Evil: 2")]
    [InlineData("X-A", "1\nX-Evil: 2")]
    [InlineData("X-A", "1\rX-Evil: 2")]
    [InlineData("X-A", "1\u0000")]
    [InlineData("X-A", "1\u007f")]
    [InlineData("X-A", "caf\u00e9")]
    [InlineData("X-A", "\u4e2d")]
    [InlineData("X-A\r\nX-Evil", "1")]
    [InlineData("X A", "1")]
    [InlineData("X-A:", "1")]
    [InlineData("", "1")]
    [InlineData("Sec-WebSocket-Extensions", "permessage-deflate")]
    [InlineData("sec-websocket-key", "AAAAAAAAAAAAAAAAAAAAAA==")]
    [InlineData("Host", "other")]
    [InlineData("Content-Length", "5")]
    [InlineData("Transfer-Encoding", "chunked")]
    public void Header_injection_or_reserved_header_throws(string name, string value)
    {
        AssertRefused(output => Write(output, extras: [("X-Ok", "1"), (name, value)]));
    }

    [Theory]
    [InlineData("chat, evil")]
    [InlineData("chat\r\nX-Evil: 1")]
    [InlineData("")]
    [InlineData("chat v1")]
    public void Subprotocol_that_is_not_a_token_throws(string subprotocol)
    {
        AssertRefused(output => Write(output, subprotocols: ["chat", subprotocol]));
    }

    [Theory]
    [InlineData("")]
    [InlineData("short")]
    [InlineData("dGhlIHNhbXBsZSBub25jZQ==\r\nX-Evil: 1")]
    public void Invalid_key_throws(string key)
    {
        AssertRefused(output => Write(output, key: key));
    }

    [Fact]
    public void Tab_inside_a_value_is_allowed()
    {
        Assert.Contains("X-A: a\tb\r\n", Write(extras: ("X-A", "a\tb")));
    }

    private static void AssertRefused(Action<ArrayBufferWriter<byte>> write)
    {
        // A refused request leaves nothing half-written: the checks run before the first byte.
        var output = new ArrayBufferWriter<byte>();
        Assert.ThrowsAny<ArgumentException>(() => write(output));
        Assert.Equal(0, output.WrittenCount);
    }
}
