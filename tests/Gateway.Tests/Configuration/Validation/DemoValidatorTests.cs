using System.Net;
using static Gateway.Tests.Configuration.ConfigTestText;

namespace Gateway.Tests.Configuration.Validation;

public sealed class DemoValidatorTests
{
    private const string Rest = Listen + Routes + Upstreams;

    [Theory]
    [InlineData("demo: {}\n", "gw.yaml:9:7: demo.echo_address: required key is missing")]
    [InlineData("demo: on\n", "gw.yaml:9:7: demo: expected a mapping with `echo_address`, got `on`")]
    [InlineData("demo: { echo_address: '0.0.0.0:9001' }\n",
        "gw.yaml:9:23: demo.echo_address: must be a loopback address (127.0.0.0/8, [::1] or localhost), got `0.0.0.0:9001`")]
    [InlineData("demo: { echo_address: '10.0.0.1:9001' }\n",
        "gw.yaml:9:23: demo.echo_address: must be a loopback address (127.0.0.0/8, [::1] or localhost), got `10.0.0.1:9001`")]
    [InlineData("demo: { echo_address: '127.0.0.1:8080' }\n",
        "gw.yaml:9:23: demo.echo_address: `127.0.0.1:8080` takes the same port as the listener `127.0.0.1:8080`; pick another port")]
    [InlineData("demo: { echo_address: '127.0.0.1' }\n",
        "gw.yaml:9:23: demo.echo_address: expected host:port such as 0.0.0.0:8443, [::]:8443, localhost:8080 or *:8443, got `127.0.0.1`")]
    [InlineData("demo: { echo_adress: '127.0.0.1:9001' }\n", "gw.yaml:9:9: demo.echo_adress: unknown key `echo_adress`; did you mean `echo_address`?")]
    public void Invalid_demo_gives_its_exact_errors(string demo, string expected)
    {
        if (demo.Contains("echo_adress"))
            expected = "gw.yaml:9:7: demo.echo_address: required key is missing\n" + expected;
        Assert.Equal(expected.Split('\n'), Errors(Rest + demo));
    }

    [Theory]
    [InlineData("127.0.0.1:9001", "127.0.0.1")]
    [InlineData("127.1.2.3:9001", "127.1.2.3")]
    [InlineData("localhost:9001", "127.0.0.1")]
    [InlineData("'[::1]:9001'", "::1")]
    public void Loopback_echo_addresses_are_accepted(string address, string ip)
    {
        Assert.Equal(new IPEndPoint(IPAddress.Parse(ip), 9001), Valid(Rest + $"demo: {{ echo_address: {address} }}\n").Demo!.EchoEndPoint);
    }
}
