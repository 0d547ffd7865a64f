using Gateway.Protocol.Handshake;

namespace Gateway.Protocol.Tests.Handshake;

public class HeaderTokensTests
{
    [Theory]
    [InlineData("websocket")]
    [InlineData("chat.v2")]
    [InlineData("!#$%&'*+-.^_`|~09azAZ")]
    public void Tokens(string value)
    {
        Assert.True(HeaderTokens.IsToken(value));
    }

    [Theory]
    [InlineData("")]
    [InlineData("chat v2")]
    [InlineData("a,b")]
    [InlineData("\"quoted\"")]
    [InlineData("a;b")]
    [InlineData("a/b")]
    [InlineData("a\tb")]
    [InlineData("a\r\nb")]
    [InlineData("caf\u00e9")]
    [InlineData("a\u0000")]
    [InlineData("(a)")]
    [InlineData("a=b")]
    [InlineData("a@b")]
    public void Not_tokens(string value)
    {
        Assert.False(HeaderTokens.IsToken(value));
    }

    [Fact]
    public void ParseList_splits_trims_and_drops_empty_elements_over_several_lines()
    {
        string?[] lines = [" a ,b", null, "", ",, \t,", "c\t, d e ,"];

        Assert.Equal(["a", "b", "c", "d e"], HeaderTokens.ParseList(lines));
    }

    [Fact]
    public void ParseList_of_nothing_is_empty()
    {
        Assert.Empty(HeaderTokens.ParseList([]));
        Assert.Empty(HeaderTokens.ParseList([null, " "]));
    }

    [Theory]
    [InlineData("keep-alive, Upgrade")]
    [InlineData("UPGRADE")]
    [InlineData(" upgrade ")]
    [InlineData("keep-alive,upgrade,close")]
    public void ContainsToken_is_case_insensitive_and_finds_list_elements(string connection)
    {
        Assert.True(HeaderTokens.ContainsToken([connection], "upgrade"));
    }

    [Theory]
    [InlineData("upgrades")]
    [InlineData("keep-alive; upgrade")]
    [InlineData("up grade")]
    [InlineData("")]
    public void ContainsToken_matches_whole_elements_only(string connection)
    {
        Assert.False(HeaderTokens.ContainsToken([connection], "upgrade"));
    }

    [Fact]
    public void ContainsToken_looks_at_every_line()
    {
        Assert.True(HeaderTokens.ContainsToken(["keep-alive", null, "Upgrade"], "upgrade"));
        Assert.False(HeaderTokens.ContainsToken([], "upgrade"));
    }
}
