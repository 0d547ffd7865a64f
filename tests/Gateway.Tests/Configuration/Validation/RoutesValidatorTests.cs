using static Gateway.Tests.Configuration.ConfigTestText;

namespace Gateway.Tests.Configuration.Validation;

public sealed class RoutesValidatorTests
{
    private const string Rest = Listen + Upstreams;

    private static string Route(string body) => "routes:\n  - name: chat\n    upstream: chat\n" + body;

    [Theory]
    [InlineData("routes: []\n", "gw.yaml:1:9: routes: must list at least one route")]
    [InlineData("routes: {}\n", "gw.yaml:1:9: routes: expected a list, got a mapping")]
    [InlineData("routes:\n  - name: Chat\n    upstream: chat\n    match: { path: /ws }\n",
        "gw.yaml:2:11: routes[0].name: must be lowercase letters, digits, `_` or `-`, got `Chat`")]
    [InlineData("routes:\n  - name: chat room\n    upstream: chat\n    match: { path: /ws }\n",
        "gw.yaml:2:11: routes[0].name: must be lowercase letters, digits, `_` or `-`, got `chat room`")]
    [InlineData("routes:\n  - name: chat\n    match: { path: /ws }\n", "gw.yaml:2:5: routes[0].upstream: required key is missing")]
    public void Invalid_route_gives_one_exact_error(string routes, string expected)
    {
        Assert.Equal([expected], Errors(routes + Rest));
    }

    [Fact]
    public void Route_without_anything_reports_each_required_key()
    {
        Assert.Equal([
            "gw.yaml:2:5: routes[0].name: required key is missing",
            "gw.yaml:2:5: routes[0].match: required key is missing",
            "gw.yaml:2:5: routes[0].upstream: required key is missing",
        ], Errors("routes:\n  - {}\n" + Rest));
    }

    [Theory]
    [InlineData("    match: /ws\n", "gw.yaml:4:12: routes[0].match: expected a mapping with `host` and `path`, got `/ws`")]
    [InlineData("    match: { host: a.com }\n", "gw.yaml:4:12: routes[0].match.path: required key is missing")]
    [InlineData("    match: { path: ws }\n", "gw.yaml:4:20: routes[0].match.path: must start with `/`, like /ws/{**rest}; got `ws`")]
    [InlineData("    match: { path: '/ws/{' }\n",
        "gw.yaml:4:20: routes[0].match.path: invalid route template `/ws/{`: There is an incomplete parameter in the route template. Check that each '{' character has a matching '}' character.")]
    [InlineData("    match: { path: '/{**a}/b' }\n",
        "gw.yaml:4:20: routes[0].match.path: invalid route template `/{**a}/b`: A catch-all parameter can only appear as the last segment of the route template.")]
    [InlineData("    match: { path: /ws, host: 'bad host' }\n",
        "gw.yaml:4:31: routes[0].match.host: expected a host name like example.com or *.example.com, got `bad host`")]
    [InlineData("    match: { path: /ws, hots: a.com }\n", "gw.yaml:4:25: routes[0].match.hots: unknown key `hots`; did you mean `host`?")]
    public void Invalid_match_gives_one_exact_error(string match, string expected)
    {
        Assert.Equal([expected], Errors(Route(match) + Rest));
    }

    [Theory]
    [InlineData("    subprotocols: []\n",
        "gw.yaml:5:19: routes[0].subprotocols: must list at least one subprotocol; remove the key to allow whatever the client offers")]
    [InlineData("    subprotocols: chat.v1\n", "gw.yaml:5:19: routes[0].subprotocols: expected a list, got `chat.v1`")]
    [InlineData("    subprotocols: ['a b']\n",
        "gw.yaml:5:20: routes[0].subprotocols[0]: `a b` is not a valid subprotocol: use letters, digits and !#$%&'*+-.^_`|~ (no spaces or commas)")]
    [InlineData("    subprotocols: ['x,y']\n",
        "gw.yaml:5:20: routes[0].subprotocols[0]: `x,y` is not a valid subprotocol: use letters, digits and !#$%&'*+-.^_`|~ (no spaces or commas)")]
    [InlineData("    subprotocols: [v1, v1]\n", "gw.yaml:5:24: routes[0].subprotocols[1]: `v1` is listed twice")]
    [InlineData("    subprotocols: ['']\n", "gw.yaml:5:20: routes[0].subprotocols[0]: must not be empty")]
    public void Invalid_subprotocols_give_one_exact_error(string subprotocols, string expected)
    {
        Assert.Equal([expected], Errors(Route("    match: { path: /ws }\n" + subprotocols) + Rest));
    }

    [Fact]
    public void Misspelt_policy_key_gets_a_suggestion()
    {
        Assert.Equal(["gw.yaml:5:5: routes[0].orgins: unknown key `orgins`; did you mean `origins`?"],
            Errors(Route("    match: { path: /ws }\n    orgins: any\n") + Rest));
    }

    [Fact]
    public void Misspelt_upstream_name_gets_a_suggestion()
    {
        Assert.Equal(["gw.yaml:3:15: routes[0].upstream: no upstream named `caht` under `upstreams`; did you mean `chat`?"],
            Errors("routes:\n  - name: chat\n    upstream: caht\n    match: { path: /ws }\n" + Rest));
    }

    [Fact]
    public void Unknown_upstream_name_lists_the_known_ones()
    {
        Assert.Equal(["gw.yaml:3:15: routes[0].upstream: no upstream named `billing` under `upstreams` (there are: `chat`, `echo`)"],
            Errors("routes:\n  - name: chat\n    upstream: billing\n    match: { path: /ws }\n" + Listen +
                "upstreams:\n  echo: { destinations: ['ws://a'] }\n  chat: { destinations: ['ws://b'] }\n"));
    }

    [Fact]
    public void Upstream_references_are_not_checked_when_upstreams_is_broken()
    {
        Assert.Equal(["gw.yaml:7:12: upstreams: expected a mapping of upstream names to settings, got a list"],
            Errors("routes:\n  - name: chat\n    upstream: chat\n    match: { path: /ws }\n" + Listen + "upstreams: []\n"));
    }

    [Fact]
    public void Duplicate_route_name_is_reported_at_the_second()
    {
        Assert.Equal(["gw.yaml:3:11: routes[1].name: route name `chat` is already used by routes[0]"],
            Errors("routes:\n  - { name: chat, upstream: chat, match: { path: /a } }\n" +
                "  - name: chat\n    upstream: chat\n    match: { path: /b }\n" + Rest));
    }

    [Fact]
    public void Same_host_and_path_twice_is_reported_ignoring_host_case()
    {
        Assert.Equal(["gw.yaml:3:71: routes[1].match.path: routes[0] already matches the same host and path; only the first would ever be used"],
            Errors("routes:\n  - { name: a, upstream: chat, match: { host: Chat.example.com, path: /ws } }\n" +
                "  - { name: b, upstream: chat, match: { host: chat.example.com, path: /ws } }\n" + Rest));
    }

    [Fact]
    public void Same_path_on_different_hosts_is_fine()
    {
        var config = Valid("routes:\n  - { name: a, upstream: chat, match: { host: A.Example.com, path: /ws } }\n" +
            "  - { name: b, upstream: chat, match: { host: '*.example.com', path: /ws } }\n" +
            "  - { name: c, upstream: chat, match: { path: /ws } }\n" + Rest);

        Assert.Equal(["a.example.com", "*.example.com", null], config.Routes.Select(r => r.Host));
    }
}
