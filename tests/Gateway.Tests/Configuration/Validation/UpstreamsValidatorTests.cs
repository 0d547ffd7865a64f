using Gateway.Configuration;
using static Gateway.Tests.Configuration.ConfigTestText;

namespace Gateway.Tests.Configuration.Validation;

public sealed class UpstreamsValidatorTests
{
    private const string Rest = Listen + Routes;
    private const string Head = "upstreams:\n  chat:\n";

    [Theory]
    [InlineData("upstreams: []\n", "gw.yaml:1:12: upstreams: expected a mapping of upstream names to settings, got a list")]
    [InlineData("upstreams:\n  chat: 5\n", "gw.yaml:2:9: upstreams.chat: expected a mapping, got `5`")]
    [InlineData("upstreams:\n  chat: {}\n", "gw.yaml:2:9: upstreams.chat.destinations: required key is missing")]
    [InlineData("upstreams:\n  chat: { destinations: ['ws://a'] }\n  Bad.Name: { destinations: ['ws://b'] }\n",
        "gw.yaml:3:3: upstreams.Bad.Name: upstream name must be lowercase letters, digits, `_` or `-`, got `Bad.Name`")]
    public void Invalid_upstreams_section_gives_one_exact_error(string upstreams, string expected)
    {
        Assert.Equal([expected], Errors(upstreams + Rest));
    }

    [Fact]
    public void Empty_upstreams_is_reported_along_with_the_route_that_needs_one()
    {
        Assert.Equal([
            "gw.yaml:1:12: upstreams: must define at least one upstream",
            "gw.yaml:7:15: routes[0].upstream: no upstream named `chat` under `upstreams`",
        ], Errors("upstreams: {}\n" + Rest));
    }

    [Theory]
    [InlineData("    destinations: []\n", "gw.yaml:3:19: upstreams.chat.destinations: must list at least one destination")]
    [InlineData("    destinations: ws://a\n", "gw.yaml:3:19: upstreams.chat.destinations: expected a list, got `ws://a`")]
    [InlineData("    destinations: [http://a]\n",
        "gw.yaml:3:20: upstreams.chat.destinations[0]: expected an absolute ws:// or wss:// URI such as ws://10.0.0.5:9000, got `http://a`")]
    [InlineData("    destinations: [/relative]\n",
        "gw.yaml:3:20: upstreams.chat.destinations[0]: expected an absolute ws:// or wss:// URI such as ws://10.0.0.5:9000, got `/relative`")]
    [InlineData("    destinations: ['ws:///path']\n",
        "gw.yaml:3:20: upstreams.chat.destinations[0]: expected an absolute ws:// or wss:// URI such as ws://10.0.0.5:9000, got `ws:///path`")]
    [InlineData("    destinations: ['ws://h/p?q=1']\n",
        "gw.yaml:3:20: upstreams.chat.destinations[0]: a destination cannot have a query or fragment (the client's own are forwarded), got `ws://h/p?q=1`")]
    [InlineData("    destinations: ['ws://h/#f']\n",
        "gw.yaml:3:20: upstreams.chat.destinations[0]: a destination cannot have a query or fragment (the client's own are forwarded), got `ws://h/#f`")]
    [InlineData("    destinations: ['ws://h:1', 'WS://H:1']\n", "gw.yaml:3:32: upstreams.chat.destinations[1]: `WS://H:1` is listed twice")]
    [InlineData("    destinations: ['ws://a']\n    load_balancing: round_robbin\n",
        "gw.yaml:4:21: upstreams.chat.load_balancing: expected one of power_of_two_choices, round_robin, least_requests, random, first, got `round_robbin`; did you mean `round_robin`?")]
    [InlineData("    destinations: ['ws://a']\n    connect_timeout: 0s\n", "gw.yaml:4:22: upstreams.chat.connect_timeout: must be greater than 0, got `0s`")]
    [InlineData("    destinations: ['ws://a']\n    handshake_timeout: fast\n",
        "gw.yaml:4:24: upstreams.chat.handshake_timeout: expected a duration like 500ms, 30s, 5m or 1h, got `fast`")]
    [InlineData("    destinations: ['ws://a']\n    retries: -1\n", "gw.yaml:4:14: upstreams.chat.retries: must be at least 0, got `-1`")]
    [InlineData("    destinations: ['ws://a']\n    retries: two\n", "gw.yaml:4:14: upstreams.chat.retries: expected a whole number, got `two`")]
    [InlineData("    destinations: ['ws://a']\n    health_check: { path: /health }\n",
        "gw.yaml:4:5: upstreams.chat.health_check: `health_check` is not supported by this version of the gateway yet")]
    [InlineData("    destinations: ['ws://a']\n    tls: { sni: chat.internal }\n",
        "gw.yaml:4:5: upstreams.chat.tls: `tls` is not supported by this version of the gateway yet")]
    [InlineData("    destination: ['ws://a']\n", "gw.yaml:3:5: upstreams.chat.destination: unknown key `destination`; did you mean `destinations`?")]
    public void Invalid_upstream_gives_one_exact_error(string upstream, string expected)
    {
        if (!upstream.Contains("destinations:"))
            expected = expected + "\n" + "gw.yaml:3:5: upstreams.chat.destinations: required key is missing";
        Assert.Equal(expected.Split('\n'), Errors(Head + upstream + Rest));
    }

    [Theory]
    [InlineData("power_of_two_choices", LoadBalancing.PowerOfTwoChoices)]
    [InlineData("round_robin", LoadBalancing.RoundRobin)]
    [InlineData("least_requests", LoadBalancing.LeastRequests)]
    [InlineData("random", LoadBalancing.Random)]
    [InlineData("first", LoadBalancing.First)]
    public void Load_balancing_names_map_to_policies(string name, LoadBalancing policy)
    {
        Assert.Equal(policy, Valid(Head + $"    destinations: ['ws://a']\n    load_balancing: {name}\n" + Rest).Upstreams["chat"].LoadBalancing);
    }

    [Fact]
    public void Upstream_that_no_route_uses_is_fine()
    {
        var config = Valid("upstreams:\n  chat: { destinations: ['ws://a'] }\n  spare: { destinations: ['wss://b:9443/prefix'] }\n" + Rest);

        Assert.Equal([new Uri("wss://b:9443/prefix")], config.Upstreams["spare"].Destinations);
    }
}
