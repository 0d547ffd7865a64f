using System.Net;
using static Gateway.Tests.Configuration.ConfigTestText;

namespace Gateway.Tests.Configuration.Validation;

public sealed class ListenValidatorTests
{
    private const string Rest = Routes + Upstreams;

    [Theory]
    [InlineData("listen: []\n", "gw.yaml:1:9: listen: must list at least one listener")]
    [InlineData("listen: 127.0.0.1:80\n", "gw.yaml:1:9: listen: expected a list, got `127.0.0.1:80`")]
    [InlineData("listen:\n  - redirect_to_https: false\n", "gw.yaml:2:5: listen[0].address: required key is missing")]
    [InlineData("listen:\n  - address: 8080\n",
        "gw.yaml:2:14: listen[0].address: expected host:port such as 0.0.0.0:8443, [::]:8443, localhost:8080 or *:8443, got `8080`")]
    [InlineData("listen:\n  - address: example.com:80\n",
        "gw.yaml:2:14: listen[0].address: `example.com` is not an IP address; use an IPv4 address, [IPv6], localhost or *")]
    [InlineData("listen:\n  - address: ::1:80\n",
        "gw.yaml:2:14: listen[0].address: an IPv6 address goes in brackets, like [::1]:8443, got `::1:80`")]
    [InlineData("listen:\n  - address: 127.0.0.1:0\n", "gw.yaml:2:14: listen[0].address: port must be between 1 and 65535, got `0`")]
    [InlineData("listen:\n  - address: 127.0.0.1:65536\n", "gw.yaml:2:14: listen[0].address: port must be between 1 and 65535, got `65536`")]
    [InlineData("listen:\n  - address: ''\n", "gw.yaml:2:14: listen[0].address: must not be empty")]
    [InlineData("listen:\n  - address: [a]\n", "gw.yaml:2:14: listen[0].address: expected a text value, got a list")]
    [InlineData("listen:\n  - address: 127.0.0.1:80\n    redirect_to_https: true\n",
        "gw.yaml:3:24: listen[0].redirect_to_https: `redirect_to_https: true` is not supported by this version of the gateway yet")]
    [InlineData("listen:\n  - address: 127.0.0.1:80\n    redirect_to_https: yes\n",
        "gw.yaml:3:24: listen[0].redirect_to_https: expected true or false, got `yes`")]
    [InlineData("listen:\n  - address: 127.0.0.1:80\n    handshake_timeout: 10\n",
        "gw.yaml:3:24: listen[0].handshake_timeout: expected a duration like 500ms, 30s, 5m or 1h, got `10`; add a unit, like 10s")]
    [InlineData("listen:\n  - address: 127.0.0.1:80\n    handshake_timeout: 0\n",
        "gw.yaml:3:24: listen[0].handshake_timeout: must be greater than 0, got `0`")]
    [InlineData("listen:\n  - address: 127.0.0.1:80\n    handshake_timeout: 6m\n",
        "gw.yaml:3:24: listen[0].handshake_timeout: must be at most 5m: a client that has not sent its request head by then is not coming; got 360s")]
    [InlineData("listen:\n  - address: 127.0.0.1:80\n    adress: 127.0.0.1:81\n",
        "gw.yaml:3:5: listen[0].adress: unknown key `adress`; did you mean `address`?")]
    [InlineData("listen:\n  - 127.0.0.1:80\n",
        "gw.yaml:2:5: listen[0]: expected a mapping, got `127.0.0.1:80`")]
    public void Invalid_listener_gives_one_exact_error(string listen, string expected)
    {
        Assert.Equal([expected], Errors(listen + Rest));
    }

    [Theory]
    [InlineData("0.0.0.0:8080", "127.0.0.1:8080")]
    [InlineData("*:80", "[::]:80")]
    [InlineData("'[::]:80'", "127.0.0.1:80")]
    [InlineData("localhost:8081", "127.0.0.1:8081")]
    [InlineData("127.0.0.1:8081", "127.0.0.1:8081")]
    public void Two_listeners_on_one_port_of_overlapping_addresses_clash(string first, string second)
    {
        var firstText = first.Trim('\'');
        Assert.Equal(
            [$"gw.yaml:3:14: listen[1].address: `{second}` takes the same port as listen[0].address (`{firstText}`); give each listener its own address and port"],
            Errors($"listen:\n  - address: '{firstText}'\n  - address: '{second}'\n" + Rest));
    }

    [Fact]
    public void Listeners_on_different_addresses_or_ports_do_not_clash()
    {
        var config = Valid("listen:\n  - address: 127.0.0.1:80\n  - address: 127.0.0.2:80\n  - address: 127.0.0.1:81\n" + Rest);

        Assert.Equal(3, config.Listeners.Count);
    }

    [Theory]
    [InlineData("'*:443'", "0.0.0.0", 443)]
    [InlineData("0.0.0.0:8443", "0.0.0.0", 8443)]
    [InlineData("'[::]:8443'", "::", 8443)]
    [InlineData("'[::1]:1'", "::1", 1)]
    [InlineData("localhost:65535", "127.0.0.1", 65535)]
    [InlineData("LOCALHOST:80", "127.0.0.1", 80)]
    [InlineData("10.1.2.3:80", "10.1.2.3", 80)]
    public void Address_forms_become_end_points(string address, string ip, int port)
    {
        var config = Valid($"listen:\n  - address: {address}\n" + Rest);

        Assert.Equal(new IPEndPoint(IPAddress.Parse(ip), port), config.Listeners[0].EndPoint);
        Assert.Equal(address.Trim('\''), config.Listeners[0].Address);
    }

    [Fact]
    public void Redirect_to_https_false_is_accepted()
    {
        Valid("listen:\n  - address: 127.0.0.1:80\n    redirect_to_https: false\n" + Rest);
    }

    [Fact]
    public void Handshake_timeout_defaults_to_10_s_and_takes_a_duration()
    {
        var config = Valid("listen:\n  - address: 127.0.0.1:80\n  - address: 127.0.0.1:81\n    handshake_timeout: 2500ms\n" + Rest);

        Assert.Equal(TimeSpan.FromSeconds(10), config.Listeners[0].HandshakeTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(2500), config.Listeners[1].HandshakeTimeout);
    }
}
