using Gateway.Protocol.Handshake;

namespace Gateway.Protocol.Tests.Handshake;

public class ServerHandshakeValidateTests
{
    private const string Key = "dGhlIHNhbXBsZSBub25jZQ==";

    private static Refusal? Validate(string method = "GET", string protocol = "HTTP/1.1",
        string?[]? upgrade = null, string?[]? connection = null, string?[]? key = null, string?[]? version = null) =>
        ServerHandshake.Validate(method, protocol, upgrade ?? ["websocket"], connection ?? ["Upgrade"],
            key ?? [Key], version ?? ["13"]);

    private static void AssertBadRequest(Refusal? rejection, string reason)
    {
        Assert.Equal(new Refusal(400, reason, []), rejection);
    }

    [Fact]
    public void Rfc6455_section_1_3_request_is_accepted()
    {
        Assert.Null(Validate());
    }

    [Theory]
    [InlineData("HTTP/1.1")]
    [InlineData("HTTP/1.2")]
    [InlineData("HTTP/2")]
    [InlineData("HTTP/2.0")]
    public void Http_1_1_or_later_is_accepted(string protocol)
    {
        Assert.Null(Validate(protocol: protocol));
    }

    [Fact]
    public void Ok_with_connection_list_and_upgrade_case_variations()
    {
        Assert.Null(Validate(upgrade: ["WebSocket"], connection: ["keep-alive, Upgrade"]));
        Assert.Null(Validate(upgrade: ["WEBSOCKET"], connection: ["UPGRADE"]));
        Assert.Null(Validate(upgrade: ["h2c, websocket"], connection: ["upgrade, keep-alive"]));
    }

    [Fact]
    public void Ok_with_lists_spread_over_two_header_lines()
    {
        Assert.Null(Validate(upgrade: ["h2c", "WebSocket"], connection: ["keep-alive", "Upgrade"]));
    }

    [Fact]
    public void Key_surrounded_by_optional_whitespace_is_accepted()
    {
        Assert.Null(Validate(key: [" " + Key + "\t"]));
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("get")]
    [InlineData("CONNECT")]
    public void Method_not_GET_is_400(string method)
    {
        AssertBadRequest(Validate(method: method), "WebSocket upgrade requires method GET");
    }

    [Theory]
    [InlineData("HTTP/1.0")]
    [InlineData("HTTP/0.9")]
    [InlineData("http/1.1")]
    [InlineData("HTTP/")]
    [InlineData("HTTP/1.x")]
    [InlineData("")]
    public void Protocol_before_http_1_1_or_unknown_is_400(string protocol)
    {
        AssertBadRequest(Validate(protocol: protocol), "WebSocket upgrade requires HTTP/1.1 or later");
    }

    public static TheoryData<string?[]> UpgradeWithoutWebSocket => new()
    {
        Array.Empty<string?>(),
        new string?[] { "h2c" },
        new string?[] { "websockets" },
        new string?[] { "web socket" },
        new string?[] { null },
    };

    [Theory]
    [MemberData(nameof(UpgradeWithoutWebSocket))]
    public void Missing_upgrade_websocket_is_400(string?[] upgrade)
    {
        AssertBadRequest(Validate(upgrade: upgrade), "Upgrade header must contain websocket");
    }

    public static TheoryData<string?[]> ConnectionWithoutUpgrade => new()
    {
        Array.Empty<string?>(),
        new string?[] { "keep-alive" },
        new string?[] { "upgraded" },
        new string?[] { "close" },
    };

    [Theory]
    [MemberData(nameof(ConnectionWithoutUpgrade))]
    public void Connection_without_upgrade_is_400(string?[] connection)
    {
        AssertBadRequest(Validate(connection: connection), "Connection header must contain upgrade");
    }

    public static TheoryData<string?[]> VersionsOtherThan13 => new()
    {
        Array.Empty<string?>(),
        new string?[] { "8" },
        new string?[] { "12" },
        new string?[] { "13, 8" },
        new string?[] { "13", "13" },
        new string?[] { "013" },
        new string?[] { "" },
    };

    [Theory]
    [MemberData(nameof(VersionsOtherThan13))]
    public void Version_not_exactly_13_is_426_with_the_supported_version(string?[] version)
    {
        var rejection = Validate(version: version);

        Assert.Equal(new Refusal(426, "Sec-WebSocket-Version must be 13", [new("Sec-WebSocket-Version", "13")]), rejection);
    }

    [Fact]
    public void Version_with_optional_whitespace_is_accepted()
    {
        Assert.Null(Validate(version: [" 13 "]));
    }

    [Fact]
    public void Missing_key_is_400()
    {
        AssertBadRequest(Validate(key: []), "Sec-WebSocket-Key is missing");
        AssertBadRequest(Validate(key: [null]), "Sec-WebSocket-Key is missing");
    }

    [Fact]
    public void Duplicated_key_is_400()
    {
        AssertBadRequest(Validate(key: [Key, Key]), "Sec-WebSocket-Key must appear once");
    }

    [Theory]
    [InlineData("")]
    [InlineData("AAAAAAAAAAAAAAAAAAAA")]
    [InlineData("dGhlIHNhbXBsZSBub25j ZQ==")]
    [InlineData("dGhlIHNhbXBsZSBub25jZQ==, dGhlIHNhbXBsZSBub25jZQ==")]
    public void Invalid_key_is_400(string key)
    {
        AssertBadRequest(Validate(key: [key]), "Sec-WebSocket-Key must be 16 bytes of base64");
    }

    [Fact]
    public void Checks_run_in_contract_order()
    {
        // Everything wrong: the method is reported first.
        Assert.Equal(400, Validate("POST", "HTTP/1.0", [], [], [], [])!.Status);
        Assert.Contains("GET", Validate("POST", "HTTP/1.0", [], [], [], [])!.Reason);
        // Upgrade/Connection come before the version, the version (426) before the key.
        Assert.Contains("Upgrade", Validate(upgrade: [], version: ["8"])!.Reason);
        Assert.Contains("Connection", Validate(connection: [], version: ["8"])!.Reason);
        Assert.Equal(426, Validate(version: ["8"], key: [])!.Status);
    }
}
