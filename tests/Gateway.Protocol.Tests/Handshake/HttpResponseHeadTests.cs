using Gateway.Protocol.Handshake;

namespace Gateway.Protocol.Tests.Handshake;

public class HttpResponseHeadTests
{
    private static HttpResponseHead Head(params string[] lines) =>
        ResponseHeads.Parse("HTTP/1.1 200 OK\r\n" + string.Concat(lines.Select(l => l + "\r\n")) + "\r\n");

    [Fact]
    public void Get_returns_the_first_value_by_case_insensitive_name()
    {
        var head = Head("X-A: 1", "x-a: 2", "X-B: 3");

        Assert.Equal("1", head.Get("x-A"));
        Assert.Equal("3", head.Get("X-B"));
        Assert.Null(head.Get("X-C"));
    }

    [Fact]
    public void GetAll_returns_every_value_in_order()
    {
        var head = Head("X-A: 1", "X-B: 3", "x-a: 2");

        Assert.Equal(["1", "2"], head.GetAll("X-A"));
        Assert.Empty(head.GetAll("X-C"));
    }

    [Theory]
    [InlineData("Content-Length: 42", 42L)]
    [InlineData("Content-Length: 0", 0L)]
    [InlineData("Content-Length: 42, 42", 42L)]
    [InlineData("Content-Length: 9223372036854775807", long.MaxValue)]
    public void Content_length(string line, long expected)
    {
        Assert.Equal(expected, Head(line).ContentLength);
    }

    [Theory]
    [InlineData("X-Other: 1")]
    [InlineData("Content-Length: -1")]
    [InlineData("Content-Length: +1")]
    [InlineData("Content-Length: 1 2")]
    [InlineData("Content-Length: 0x10")]
    [InlineData("Content-Length: 42, 43")]
    [InlineData("Content-Length: 9223372036854775808")]
    [InlineData("Content-Length:")]
    public void Content_length_absent_or_invalid_is_null(string line)
    {
        Assert.Null(Head(line).ContentLength);
    }

    [Fact]
    public void Content_length_lines_that_disagree_are_invalid()
    {
        Assert.Null(Head("Content-Length: 1", "Content-Length: 2").ContentLength);
        Assert.Equal(1, Head("Content-Length: 1", "Content-Length: 1").ContentLength);
    }

    [Theory]
    [InlineData(true, "Transfer-Encoding: chunked")]
    [InlineData(true, "Transfer-Encoding: gzip, Chunked")]
    [InlineData(true, "Transfer-Encoding: gzip", "Transfer-Encoding: chunked")]
    [InlineData(false, "Transfer-Encoding: chunked, gzip")]
    [InlineData(false, "Transfer-Encoding: gzip")]
    [InlineData(false, "X-Other: chunked")]
    public void Is_chunked_when_the_last_coding_is_chunked(bool expected, params string[] lines)
    {
        Assert.Equal(expected, Head(lines).IsChunked);
    }

    [Fact]
    public void Can_be_built_directly_for_tests_of_callers()
    {
        var head = new HttpResponseHead(101, "Switching Protocols", [KeyValuePair.Create("Upgrade", "websocket")]);

        Assert.Equal("websocket", head.Get("upgrade"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HttpResponseHead(99, "", []));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HttpResponseHead(1000, "", []));
    }
}
