using System.Net;
using Gateway.Configuration.Validation;

namespace Gateway.Tests.Configuration.Validation;

/// <summary>SizeParser, DurationParser, EndPointParser, HostNameRules and SubprotocolRules on their own.</summary>
public sealed class ParserTests
{
    [Theory]
    [InlineData("0", 0L)]
    [InlineData("1024", 1024L)]
    [InlineData(" 2 KiB ", 2048L)]
    [InlineData("3MiB", 3L << 20)]
    [InlineData("8589934591GiB", 8589934591L << 30)]
    [InlineData("8589934592GiB", null)] // one more GiB would not fit in a long
    [InlineData("9223372036854775807", long.MaxValue)]
    [InlineData("9223372036854775808", null)]
    [InlineData("1kib", null)]
    [InlineData("1K", null)]
    [InlineData("1MB", null)]
    [InlineData("1  KiB", null)]
    [InlineData("+1", null)]
    [InlineData("0x10", null)]
    [InlineData("", null)]
    public void Sizes(string text, long? bytes)
    {
        Assert.Equal(bytes, SizeParser.Parse(text));
    }

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("1ms", 1L)]
    [InlineData("30s", 30_000L)]
    [InlineData("5m", 300_000L)]
    [InlineData("2h", 7_200_000L)]
    [InlineData(" 10 s ", 10_000L)]
    [InlineData("1.5s", null)]
    [InlineData("1d", null)]
    [InlineData("1m30s", null)]
    [InlineData("30", null)]
    [InlineData("-1s", null)]
    [InlineData("S", null)]
    public void Durations(string text, long? milliseconds)
    {
        Assert.Equal(milliseconds is { } ms ? TimeSpan.FromMilliseconds(ms) : null, DurationParser.Parse(text));
    }

    [Fact]
    public void Huge_durations_do_not_overflow()
    {
        Assert.Equal(TimeSpan.MaxValue, DurationParser.Parse("9223372036854775807h"));
        Assert.Equal(TimeSpan.FromHours(1193), DurationParser.Parse("1193h"));
        Assert.True(DurationParser.Parse("1194h") > DurationParser.Longest);
    }

    [Theory]
    [InlineData("1.2.3.4:80", "1.2.3.4", 80)]
    [InlineData("[2001:db8::1]:443", "2001:db8::1", 443)]
    [InlineData("[::]:1", "::", 1)]
    [InlineData("*:65535", "0.0.0.0", 65535)]
    [InlineData("Localhost:8080", "127.0.0.1", 8080)]
    public void End_points(string text, string address, int port)
    {
        Assert.Equal(new IPEndPoint(IPAddress.Parse(address), port), EndPointParser.Parse(text, out var error));
        Assert.Null(error);
    }

    [Theory]
    [InlineData("1:80")] // inet_aton would read 0.0.0.1
    [InlineData("0x7f.0.0.1:80")]
    [InlineData("256.0.0.1:80")]
    [InlineData("[1.2.3.4]:80")]
    [InlineData("[::1]")]
    [InlineData("[::1]:")]
    [InlineData("1.2.3.4:-1")]
    [InlineData("1.2.3.4: 80")]
    [InlineData(":80")]
    public void Not_end_points(string text)
    {
        Assert.Null(EndPointParser.Parse(text, out var error));
        Assert.NotNull(error);
    }

    [Theory]
    [InlineData("example.com", true)]
    [InlineData("*.example.com", true)]
    [InlineData("localhost", true)]
    [InlineData("xn--bcher-kva.example", true)]
    [InlineData("a-b.c", true)]
    [InlineData("-a.com", false)]
    [InlineData("a-.com", false)]
    [InlineData("a..com", false)]
    [InlineData("a.com.", false)]
    [InlineData("*", false)]
    [InlineData("*.", false)]
    [InlineData("a.*.com", false)]
    [InlineData("under_score.com", false)]
    [InlineData("example.com:443", false)]
    public void Host_name_patterns(string host, bool valid)
    {
        Assert.Equal(valid, HostNameRules.IsValidPattern(host));
    }

    [Fact]
    public void Host_name_length_limits()
    {
        var label63 = new string('a', 63);
        Assert.True(HostNameRules.IsValidPattern(label63 + ".com"));
        Assert.False(HostNameRules.IsValidPattern(label63 + "a.com"));
        var name253 = string.Join('.', Enumerable.Repeat(label63, 4))[..253];
        Assert.True(HostNameRules.IsValidPattern(name253));
        Assert.False(HostNameRules.IsValidPattern(name253 + "a"));
    }

    [Theory]
    [InlineData("chat.v2", true)]
    [InlineData("graphql-transport-ws", true)]
    [InlineData("v1!#$%&'*+-.^_`|~", true)]
    [InlineData("a b", false)]
    [InlineData("a,b", false)]
    [InlineData("a/b", false)]
    [InlineData("é", false)]
    [InlineData("", false)]
    public void Subprotocol_tokens(string value, bool valid)
    {
        Assert.Equal(valid, SubprotocolRules.IsToken(value));
    }
}
