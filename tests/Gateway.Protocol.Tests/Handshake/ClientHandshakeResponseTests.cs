using Gateway.Protocol.Handshake;

namespace Gateway.Protocol.Tests.Handshake;

public class ClientHandshakeResponseTests
{
    private const string Key = "dGhlIHNhbXBsZSBub25jZQ==";
    private const string Accept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    private static string? Validate(string extraLines, string[] offered, out string? subprotocol,
        string upgrade = "Upgrade: websocket\r\n", string connection = "Connection: Upgrade\r\n",
        string accept = "Sec-WebSocket-Accept: " + Accept + "\r\n", string status = "101 Switching Protocols")
    {
        var head = ResponseHeads.Parse($"HTTP/1.1 {status}\r\n{upgrade}{connection}{accept}{extraLines}\r\n");
        return ClientHandshake.ValidateResponse(head, Key, offered, out subprotocol);
    }

    private static string? Validate(string extraLines = "", string[]? offered = null,
        string upgrade = "Upgrade: websocket\r\n", string connection = "Connection: Upgrade\r\n",
        string accept = "Sec-WebSocket-Accept: " + Accept + "\r\n", string status = "101 Switching Protocols") =>
        Validate(extraLines, offered ?? [], out _, upgrade, connection, accept, status);

    [Fact]
    public void Rfc6455_section_1_3_response_is_valid()
    {
        Assert.Null(Validate("", [], out var subprotocol));
        Assert.Null(subprotocol);
    }

    [Fact]
    public void Header_names_and_upgrade_connection_values_are_case_insensitive()
    {
        Assert.Null(Validate(upgrade: "upgrade: WebSocket\r\n", connection: "CONNECTION: keep-alive, upgrade\r\n",
            accept: "sec-websocket-accept: " + Accept + "\r\n"));
    }

    [Fact]
    public void Upstreams_pick_among_the_offered_is_returned()
    {
        Assert.Null(Validate("Sec-WebSocket-Protocol: chat.v1\r\n", ["chat.v2", "chat.v1"], out var subprotocol));
        Assert.Equal("chat.v1", subprotocol);
    }

    [Fact]
    public void Not_101_fails()
    {
        Assert.Equal("upstream answered 200 instead of 101", Validate(status: "200 OK"));
    }

    [Theory]
    [InlineData("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOk=\r\n")]
    [InlineData("Sec-WebSocket-Accept: S3PPLMBITXAQ9KYGZZHZRBK+XOO=\r\n")]
    [InlineData("Sec-WebSocket-Accept: dGhlIHNhbXBsZSBub25jZQ==\r\n")]
    [InlineData("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n")]
    [InlineData("Sec-WebSocket-Accept: \r\n")]
    public void Wrong_accept_fails(string accept)
    {
        Assert.Equal("upstream's Sec-WebSocket-Accept does not match the key", Validate(accept: accept));
    }

    [Fact]
    public void Missing_accept_fails()
    {
        Assert.Equal("upstream's 101 lacks Sec-WebSocket-Accept", Validate(accept: ""));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Upgrade: h2c\r\n")]
    [InlineData("Upgrade: websocket, h2c\r\n")]
    [InlineData("Upgrade:\r\n")]
    public void Missing_or_other_upgrade_fails(string upgrade)
    {
        Assert.Equal("upstream's 101 lacks Upgrade: websocket", Validate(upgrade: upgrade));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Connection: keep-alive\r\n")]
    [InlineData("Connection: upgraded\r\n")]
    public void Missing_connection_upgrade_fails(string connection)
    {
        Assert.Equal("upstream's 101 lacks Connection: upgrade", Validate(connection: connection));
    }

    [Theory]
    [InlineData("Sec-WebSocket-Protocol: chat.v3\r\n")]
    [InlineData("Sec-WebSocket-Protocol: CHAT.V1\r\n")]
    public void Subprotocol_not_offered_fails(string line)
    {
        Assert.Equal("upstream's 101 selects a subprotocol that was not offered",
            Validate(line, ["chat.v1"], out var subprotocol));
        Assert.Null(subprotocol);
    }

    [Fact]
    public void Subprotocol_while_none_offered_fails()
    {
        Assert.Equal("upstream's 101 selects a subprotocol although none was offered",
            Validate("Sec-WebSocket-Protocol: chat.v1\r\n"));
    }

    [Theory]
    [InlineData("Sec-WebSocket-Protocol: chat.v1, chat.v2\r\n")]
    [InlineData("Sec-WebSocket-Protocol: chat.v1\r\nSec-WebSocket-Protocol: chat.v2\r\n")]
    public void More_than_one_subprotocol_fails(string lines)
    {
        Assert.Equal("upstream's 101 selects more than one subprotocol", Validate(lines, ["chat.v1", "chat.v2"]));
    }

    [Theory]
    [InlineData("Sec-WebSocket-Extensions: permessage-deflate\r\n")]
    [InlineData("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n")]
    [InlineData("sec-websocket-extensions: x-custom\r\n")]
    public void An_extension_fails(string line)
    {
        Assert.Equal("upstream's 101 selects an extension that was not offered", Validate(line));
    }

    [Fact]
    public void Empty_protocol_and_extensions_lines_name_nothing_and_pass()
    {
        Assert.Null(Validate("Sec-WebSocket-Protocol:\r\nSec-WebSocket-Extensions: \r\n", [], out var subprotocol));
        Assert.Null(subprotocol);
    }

    [Fact]
    public void Checks_follow_rfc6455_section_4_1_order()
    {
        // Wrong accept and an extension: the accept (item 4) is reported before the extension (item 5).
        Assert.Contains("Accept", Validate("Sec-WebSocket-Extensions: x\r\n",
            accept: "Sec-WebSocket-Accept: x\r\n"));
        // Missing Upgrade (item 2) is reported before a missing Connection (item 3).
        Assert.Contains("Upgrade: websocket", Validate(upgrade: "", connection: ""));
    }
}
