using Gateway.Protocol.Handshake;

namespace Gateway.Protocol.Tests.Handshake;

public class ServerHandshakeSubprotocolTests
{
    private static (Refusal? Rejection, List<string> Forwarded) Select(string?[] offered,
        params string[] allowed)
    {
        var rejection = ServerHandshake.SelectOfferedSubprotocols(offered, allowed, out var forwarded);
        return (rejection, forwarded);
    }

    [Fact]
    public void Nothing_offered_forwards_nothing()
    {
        var (rejection, forwarded) = Select([]);

        Assert.Null(rejection);
        Assert.Empty(forwarded);
    }

    [Fact]
    public void Offer_order_is_kept_across_lines()
    {
        var (rejection, forwarded) = Select(["chat.v2, chat.v1", "mqtt"]);

        Assert.Null(rejection);
        Assert.Equal(["chat.v2", "chat.v1", "mqtt"], forwarded);
    }

    [Fact]
    public void Duplicates_are_removed_keeping_the_first()
    {
        var (rejection, forwarded) = Select(["b, a", "b, c, a"]);

        Assert.Null(rejection);
        Assert.Equal(["b", "a", "c"], forwarded);
    }

    [Fact]
    public void Allow_list_keeps_only_allowed_ones_in_the_clients_order()
    {
        var (rejection, forwarded) = Select(["mqtt, chat.v1, chat.v2"], "chat.v2", "chat.v1");

        Assert.Null(rejection);
        Assert.Equal(["chat.v1", "chat.v2"], forwarded);
    }

    [Fact]
    public void Allow_list_with_nothing_in_common_forwards_nothing()
    {
        var (rejection, forwarded) = Select(["mqtt"], "chat.v1");

        Assert.Null(rejection);
        Assert.Empty(forwarded);
    }

    [Fact]
    public void Names_are_case_sensitive()
    {
        var (_, forwarded) = Select(["Chat.V1, chat.v1, CHAT.V1"], "chat.v1");
        Assert.Equal(["chat.v1"], forwarded);

        // Without an allow-list, names differing only in case are different names.
        var (_, all) = Select(["Chat, chat"]);
        Assert.Equal(["Chat", "chat"], all);
    }

    [Fact]
    public void Whitespace_and_empty_elements_are_ignored()
    {
        var (rejection, forwarded) = Select([" chat.v1 ,\t, ,chat.v2\t", "", null]);

        Assert.Null(rejection);
        Assert.Equal(["chat.v1", "chat.v2"], forwarded);
    }

    [Theory]
    [InlineData("chat v1")]
    [InlineData("chat.v1, \"quoted\"")]
    [InlineData("chat/1")]
    [InlineData("caf\u00e9")]
    [InlineData("a;b")]
    public void Element_that_is_not_a_token_is_400(string offered)
    {
        var (rejection, forwarded) = Select([offered], "chat v1", "chat.v1");

        Assert.Equal(new Refusal(400, "Sec-WebSocket-Protocol values must be tokens", []), rejection);
        Assert.Empty(forwarded);
    }
}
