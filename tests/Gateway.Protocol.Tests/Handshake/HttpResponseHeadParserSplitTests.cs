using System.Buffers;
using System.Text;
using Gateway.Protocol.Handshake;

namespace Gateway.Protocol.Tests.Handshake;

/// <summary>However the bytes are cut into segments, the parser must see the same head and stop at the same byte.</summary>
public class HttpResponseHeadParserSplitTests
{
    // A WebSocket text frame "Hi" the upstream sent right behind its 101.
    private static readonly byte[] Trailing = [0x81, 0x02, 0x48, 0x69];

    public static TheoryData<string> Heads => new()
    {
        HttpResponseHeadParserTests.Rfc6455Response,
        HttpResponseHeadParserTests.Rfc6455Response.Replace("\r\n", "\n"),
        "HTTP/1.1 403 Forbidden\r\nContent-Length: 5\r\nX-Empty:\r\n\r\n",
    };

    public static TheoryData<string> Errors => new()
    {
        "HTTP/1.1 101 OK\r\nUpgrade : websocket\r\n\r\n",
        "HTTP/1.1 101 OK\r\nX-A: 1\r\n folded\r\n\r\n",
        "HTTP/1.1 1O1 OK\r\n\r\n",
    };

    [Theory]
    [MemberData(nameof(Heads))]
    public void Split_at_every_byte_gives_the_same_head_and_consumed(string text)
    {
        var bytes = Encoding.Latin1.GetBytes(text).Concat(Trailing).ToArray();
        var expected = ParseDone(new ReadOnlySequence<byte>(bytes));

        for (var offset = 0; offset <= bytes.Length; offset++)
            AssertSame(expected, SegmentedSequence.SplitAt(bytes, offset));
        AssertSame(expected, SegmentedSequence.OneBytePerSegment(bytes));
    }

    [Theory]
    [MemberData(nameof(Heads))]
    public void Random_chunks_give_the_same_head_and_consumed(string text)
    {
        var bytes = Encoding.Latin1.GetBytes(text).Concat(Trailing).ToArray();
        var expected = ParseDone(new ReadOnlySequence<byte>(bytes));
        var random = new Random(6455);

        for (var round = 0; round < 200; round++)
            AssertSame(expected, SegmentedSequence.RandomChunks(bytes, random));
    }

    [Theory]
    [MemberData(nameof(Heads))]
    public void Arriving_byte_by_byte_needs_more_data_until_the_last_byte_of_the_head(string text)
    {
        var bytes = Encoding.Latin1.GetBytes(text);

        for (var length = 0; length < bytes.Length; length++)
        {
            var partial = SegmentedSequence.OneBytePerSegment(bytes[..length]);
            var status = HttpResponseHeadParser.TryParse(partial, out _, out var consumed, out var examined, out _);
            Assert.Equal(HeadParseStatus.NeedMoreData, status);
            Assert.Equal(0, partial.Slice(0, consumed).Length);
            Assert.Equal(length, partial.Slice(0, examined).Length);
        }
        Assert.Equal(HeadParseStatus.Done,
            HttpResponseHeadParser.TryParse(SegmentedSequence.OneBytePerSegment(bytes), out _, out _, out _, out _));
    }

    [Theory]
    [MemberData(nameof(Errors))]
    public void Errors_are_the_same_however_split(string text)
    {
        var bytes = Encoding.Latin1.GetBytes(text);
        HttpResponseHeadParser.TryParse(new ReadOnlySequence<byte>(bytes), out _, out _, out _, out var expected);
        Assert.NotNull(expected);

        for (var offset = 0; offset <= bytes.Length; offset++)
        {
            var status = HttpResponseHeadParser.TryParse(SegmentedSequence.SplitAt(bytes, offset), out _, out _,
                out _, out var error);
            Assert.Equal(HeadParseStatus.Error, status);
            Assert.Equal(expected, error);
        }
    }

    [Fact]
    public void Maximum_length_holds_across_segments()
    {
        var bytes = Encoding.Latin1.GetBytes(HttpResponseHeadParserTests.HeadOfLength(HttpResponseHeadParser.MaxHeadLength));
        var over = Encoding.Latin1.GetBytes(HttpResponseHeadParserTests.HeadOfLength(HttpResponseHeadParser.MaxHeadLength + 1));
        var random = new Random(16384);

        for (var round = 0; round < 20; round++)
        {
            var done = HttpResponseHeadParser.TryParse(SegmentedSequence.RandomChunks(bytes, random, 2000), out _,
                out _, out _, out _);
            var error = HttpResponseHeadParser.TryParse(SegmentedSequence.RandomChunks(over, random, 2000), out _,
                out _, out _, out _);
            Assert.Equal(HeadParseStatus.Done, done);
            Assert.Equal(HeadParseStatus.Error, error);
        }
    }

    private static (HttpResponseHead Head, long Consumed, byte[] After) ParseDone(ReadOnlySequence<byte> buffer)
    {
        var status = HttpResponseHeadParser.TryParse(buffer, out var head, out var consumed, out var examined,
            out var error);
        Assert.True(status == HeadParseStatus.Done, $"{status}: {error}");
        Assert.Equal(consumed, examined);
        return (head!, buffer.Slice(0, consumed).Length, buffer.Slice(consumed).ToArray());
    }

    private static void AssertSame((HttpResponseHead Head, long Consumed, byte[] After) expected,
        ReadOnlySequence<byte> buffer)
    {
        var actual = ParseDone(buffer);
        Assert.Equal(expected.Head.StatusCode, actual.Head.StatusCode);
        Assert.Equal(expected.Head.ReasonPhrase, actual.Head.ReasonPhrase);
        Assert.Equal(expected.Head.Headers, actual.Head.Headers);
        Assert.Equal(expected.Consumed, actual.Consumed);
        Assert.Equal(Trailing, actual.After);
    }
}
