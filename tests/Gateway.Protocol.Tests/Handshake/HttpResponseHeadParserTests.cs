using System.Buffers;
using System.Text;
using Gateway.Protocol.Handshake;

namespace Gateway.Protocol.Tests.Handshake;

public class HttpResponseHeadParserTests
{
    /// <summary>The server's handshake of RFC 6455 1.3, with the optional subprotocol line.</summary>
    internal const string Rfc6455Response =
        "HTTP/1.1 101 Switching Protocols\r\n" +
        "Upgrade: websocket\r\n" +
        "Connection: Upgrade\r\n" +
        "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n" +
        "Sec-WebSocket-Protocol: chat\r\n" +
        "\r\n";

    private static HeadParseStatus Parse(string text, out HttpResponseHead? head, out long consumed,
        out string? error)
    {
        var buffer = new ReadOnlySequence<byte>(Encoding.Latin1.GetBytes(text));
        var status = HttpResponseHeadParser.TryParse(buffer, out head, out var consumedAt, out _, out error);
        consumed = buffer.Slice(0, consumedAt).Length;
        return status;
    }

    [Fact]
    public void Rfc6455_section_1_3_server_handshake()
    {
        var status = Parse(Rfc6455Response, out var head, out var consumed, out var error);

        Assert.Equal(HeadParseStatus.Done, status);
        Assert.Null(error);
        Assert.Equal(Rfc6455Response.Length, consumed);
        Assert.Equal(101, head!.StatusCode);
        Assert.Equal("Switching Protocols", head.ReasonPhrase);
        Assert.Equal(
        [
            KeyValuePair.Create("Upgrade", "websocket"),
            KeyValuePair.Create("Connection", "Upgrade"),
            KeyValuePair.Create("Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="),
            KeyValuePair.Create("Sec-WebSocket-Protocol", "chat"),
        ], head.Headers);
    }

    [Fact]
    public void Consumed_stops_right_after_the_head_so_websocket_bytes_survive()
    {
        // A text frame "Hi" from the server right behind the 101, in the same read.
        var bytes = Encoding.Latin1.GetBytes(Rfc6455Response).Concat(new byte[] { 0x81, 0x02, 0x48, 0x69 }).ToArray();
        var buffer = new ReadOnlySequence<byte>(bytes);

        var status = HttpResponseHeadParser.TryParse(buffer, out _, out var consumed, out var examined, out _);

        Assert.Equal(HeadParseStatus.Done, status);
        Assert.Equal(consumed, examined);
        Assert.Equal("81024869", Convert.ToHexString(buffer.Slice(consumed).ToArray()));
    }

    [Fact]
    public void Lf_only_line_ends_are_accepted()
    {
        var lfOnly = Rfc6455Response.Replace("\r\n", "\n");

        Assert.Equal(HeadParseStatus.Done, Parse(lfOnly, out var head, out var consumed, out _));
        Assert.Equal(lfOnly.Length, consumed);
        Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", head!.Get("Sec-WebSocket-Accept"));
    }

    [Fact]
    public void Mixed_line_ends_are_accepted()
    {
        Assert.Equal(HeadParseStatus.Done, Parse("HTTP/1.1 204 No Content\nA: 1\r\nB: 2\n\r\n", out var head, out _, out _));
        Assert.Equal(["1"], head!.GetAll("a"));
        Assert.Equal(["2"], head.GetAll("B"));
    }

    [Theory]
    [InlineData("HTTP/1.1 101\r\n\r\n", 101, "")]
    [InlineData("HTTP/1.1 101 \r\n\r\n", 101, "")]
    [InlineData("HTTP/1.0 404 Not  Found \r\n\r\n", 404, "Not  Found ")]
    [InlineData("HTTP/1.1 599 caf\u00e9\r\n\r\n", 599, "caf\u00e9")]
    public void Status_line_variants(string text, int code, string reason)
    {
        Assert.Equal(HeadParseStatus.Done, Parse(text, out var head, out _, out _));
        Assert.Equal(code, head!.StatusCode);
        Assert.Equal(reason, head.ReasonPhrase);
        Assert.Empty(head.Headers);
    }

    [Fact]
    public void Values_are_trimmed_names_kept_as_received_and_order_preserved()
    {
        Parse("HTTP/1.1 200 OK\r\nx-B:  two words \t\r\nX-a:\r\nx-b:3\r\n\r\n", out var head, out _, out _);

        Assert.Equal(
        [
            KeyValuePair.Create("x-B", "two words"),
            KeyValuePair.Create("X-a", ""),
            KeyValuePair.Create("x-b", "3"),
        ], head!.Headers);
    }

    [Theory]
    [InlineData("")]
    [InlineData("HTTP/1.1 101 Switching Protocols\r\n")]
    [InlineData("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n")]
    [InlineData("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r")]
    [InlineData("HTTP/1.1 101 Swi")]
    [InlineData("HTTP/1.1 101 Switching Protocols\r\nUpgrade: webs")]
    public void Incomplete_head_needs_more_data_and_consumes_nothing(string text)
    {
        var buffer = new ReadOnlySequence<byte>(Encoding.Latin1.GetBytes(text));

        var status = HttpResponseHeadParser.TryParse(buffer, out var head, out var consumed, out var examined,
            out var error);

        Assert.Equal(HeadParseStatus.NeedMoreData, status);
        Assert.Null(head);
        Assert.Null(error);
        Assert.Equal(buffer.Start, consumed);
        Assert.Equal(buffer.End, examined);
    }

    [Theory]
    [InlineData("\r\n\r\n", "malformed status line")]
    [InlineData("HTTP/1.1\r\n\r\n", "malformed status line")]
    [InlineData("HTTP/1.1  101 OK\r\n\r\n", "status code is not 3 digits")]
    [InlineData("HTTP/11 101 OK\r\n\r\n", "malformed status line")]
    [InlineData("http/1.1 101 OK\r\n\r\n", "malformed status line")]
    [InlineData("HTTP/2 101 OK\r\n\r\n", "malformed status line")]
    [InlineData("ICY 200 OK\r\n\r\n", "malformed status line")]
    [InlineData("SSH-2.0-OpenSSH_9.6\r\n", "malformed status line")]
    [InlineData("HTTP/1.1\t101 OK\r\n\r\n", "malformed status line")]
    [InlineData("HTTP/1.1 10 OK\r\n\r\n", "status code is not 3 digits")]
    [InlineData("HTTP/1.1 1010 OK\r\n\r\n", "status code is not 3 digits")]
    [InlineData("HTTP/1.1 1x1 OK\r\n\r\n", "status code is not 3 digits")]
    [InlineData("HTTP/1.1 099 OK\r\n\r\n", "status code is not 3 digits")]
    [InlineData("HTTP/1.1 \r\n\r\n", "status code is not 3 digits")]
    [InlineData("HTTP/1.1 101 Switch\ring\r\n\r\n", "invalid character in status line")]
    [InlineData("HTTP/1.1 101 OK\r\nUpgrade websocket\r\n\r\n", "header line without a colon")]
    [InlineData("HTTP/1.1 101 OK\r\nUpgrade : websocket\r\n\r\n", "whitespace before the colon in a header")]
    [InlineData("HTTP/1.1 101 OK\r\nUpgrade\t: websocket\r\n\r\n", "whitespace before the colon in a header")]
    [InlineData("HTTP/1.1 101 OK\r\n: websocket\r\n\r\n", "header line with an empty name")]
    [InlineData("HTTP/1.1 101 OK\r\nUp grade: websocket\r\n\r\n", "header name is not a token")]
    [InlineData("HTTP/1.1 101 OK\r\nUp\u00e9: websocket\r\n\r\n", "header name is not a token")]
    [InlineData("HTTP/1.1 101 OK\r\nX-A: 1\r\n continued\r\n\r\n", "obsolete line folding in a header")]
    [InlineData("HTTP/1.1 101 OK\r\nX-A: 1\r\n\tcontinued\r\n\r\n", "obsolete line folding in a header")]
    [InlineData("HTTP/1.1 101 OK\r\n Upgrade: websocket\r\n\r\n", "obsolete line folding in a header")]
    [InlineData("HTTP/1.1 101 OK\r\nX-A: 1\r2\r\n\r\n", "invalid character in a header value")]
    [InlineData("HTTP/1.1 101 OK\r\nX-A: 1\u00002\r\n\r\n", "invalid character in a header value")]
    public void Malformed_heads_are_errors(string text, string expected)
    {
        Assert.Equal(HeadParseStatus.Error, Parse(text, out var head, out var consumed, out var error));
        Assert.Equal(expected, error);
        Assert.Null(head);
        Assert.Equal(0, consumed);
    }

    [Fact]
    public void Malformed_status_line_is_reported_before_the_head_is_complete()
    {
        // A non-HTTP upstream is caught on its first line instead of after 16 KiB or a timeout.
        Assert.Equal(HeadParseStatus.Error, Parse("SSH-2.0-OpenSSH_9.6\r\n", out _, out _, out _));
    }

    [Fact]
    public void Head_of_exactly_the_maximum_length_is_accepted()
    {
        var text = HeadOfLength(HttpResponseHeadParser.MaxHeadLength);

        Assert.Equal(HeadParseStatus.Done, Parse(text + "tail", out _, out var consumed, out _));
        Assert.Equal(HttpResponseHeadParser.MaxHeadLength, consumed);
    }

    [Fact]
    public void Head_one_byte_over_the_maximum_is_an_error()
    {
        var text = HeadOfLength(HttpResponseHeadParser.MaxHeadLength + 1);

        Assert.Equal(HeadParseStatus.NeedMoreData, Parse(text[..HttpResponseHeadParser.MaxHeadLength], out _, out _, out _));
        Assert.Equal(HeadParseStatus.Error, Parse(text, out _, out _, out var error));
        Assert.Equal("response head is larger than 16384 bytes", error);
    }

    [Fact]
    public void Endless_header_without_line_end_is_an_error_once_over_the_maximum()
    {
        var text = "HTTP/1.1 200 OK\r\nX-A: " + new string('a', HttpResponseHeadParser.MaxHeadLength);

        Assert.Equal(HeadParseStatus.Error, Parse(text, out _, out _, out var error));
        Assert.Equal("response head is larger than 16384 bytes", error);
    }

    /// <summary>A valid head of exactly <paramref name="length"/> bytes, padded in one header value.</summary>
    internal static string HeadOfLength(int length)
    {
        const string start = "HTTP/1.1 200 OK\r\nX-Pad: ";
        const string end = "\r\n\r\n";
        return start + new string('p', length - start.Length - end.Length) + end;
    }
}
