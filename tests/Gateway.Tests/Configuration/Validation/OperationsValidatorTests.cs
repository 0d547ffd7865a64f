using System.Net;
using Gateway.Configuration;
using Gateway.Diagnostics;
using static Gateway.Tests.Configuration.ConfigTestText;

namespace Gateway.Tests.Configuration.Validation;

/// `admin`, `shutdown_grace` and `logging`; the snippet under test comes after valid sections of 8 lines.
public sealed class OperationsValidatorTests
{
    private const string Rest = Listen + Routes + Upstreams;

    [Theory]
    [InlineData("admin: {}\n", "gw.yaml:9:8: admin.address: required key is missing")]
    [InlineData("admin: 127.0.0.1:9090\n", "gw.yaml:9:8: admin: expected a mapping with `address`, got `127.0.0.1:9090`")]
    [InlineData("admin: { address: 9090 }\n",
        "gw.yaml:9:19: admin.address: expected host:port such as 0.0.0.0:8443, [::]:8443, localhost:8080 or *:8443, got `9090`")]
    [InlineData("admin: { address: '0.0.0.0:8080' }\n",
        "gw.yaml:9:19: admin.address: `0.0.0.0:8080` takes the same port as the listener `127.0.0.1:8080`; pick another port")]
    [InlineData("demo: { echo_address: '127.0.0.1:9001' }\nadmin: { address: 'localhost:9001' }\n",
        "gw.yaml:10:19: admin.address: `localhost:9001` takes the same port as demo.echo_address; pick another port")]
    [InlineData("shutdown_grace: soon\n", "gw.yaml:9:17: shutdown_grace: expected a duration like 500ms, 30s, 5m or 1h, got `soon`")]
    [InlineData("shutdown_grace: 30\n", "gw.yaml:9:17: shutdown_grace: expected a duration like 500ms, 30s, 5m or 1h, got `30`; add a unit, like 30s")]
    [InlineData("shutdown_grace: 2000h\n", "gw.yaml:9:17: shutdown_grace: must be at most 1193h, got `2000h`")]
    [InlineData("logging: { format: jsno }\n", "gw.yaml:9:20: logging.format: expected `text` or `json`, got `jsno`")]
    [InlineData("logging: { fromat: json }\n", "gw.yaml:9:12: logging.fromat: unknown key `fromat`; did you mean `format`?")]
    [InlineData("shutdown_grase: 5s\n", "gw.yaml:9:1: shutdown_grase: unknown key `shutdown_grase`; did you mean `shutdown_grace`?")]
    public void Invalid_operations_keys_give_their_exact_error(string yaml, string expected)
    {
        Assert.Equal([expected], Errors(Rest + yaml));
    }

    [Fact]
    public void Defaults_are_no_admin_listener_a_30s_grace_and_text_logs()
    {
        var operations = Valid(Rest).Operations;

        Assert.Null(operations.Admin);
        Assert.Equal(TimeSpan.FromSeconds(30), operations.ShutdownGrace);
        Assert.Equal(LogFormat.Text, operations.LogFormat);
    }

    [Fact]
    public void Every_key_is_read()
    {
        var operations = Valid(Rest + "admin: { address: '[::1]:9090' }\nshutdown_grace: 0\nlogging: { format: json }\n").Operations;

        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 9090), operations.Admin!.EndPoint);
        Assert.Equal("[::1]:9090", operations.Admin.Address);
        Assert.Equal(TimeSpan.Zero, operations.ShutdownGrace);
        Assert.Equal(LogFormat.Json, operations.LogFormat);
    }
}
