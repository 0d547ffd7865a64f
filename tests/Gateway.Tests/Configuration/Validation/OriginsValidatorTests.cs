using Gateway.Configuration;
using static Gateway.Tests.Configuration.ConfigTestText;

namespace Gateway.Tests.Configuration.Validation;

public sealed class OriginsValidatorTests
{
    private const string Rest = Listen + Upstreams;

    private static string Route(string body) => "routes:\n  - name: chat\n    upstream: chat\n    match: { path: /ws }\n" + body;

    [Theory]
    [InlineData("    origins: anywhere\n", "gw.yaml:5:14: routes[0].origins: expected a list of origins, `any` or `same-origin`, got `anywhere`")]
    [InlineData("    origins: same_origin\n",
        "gw.yaml:5:14: routes[0].origins: expected a list of origins, `any` or `same-origin`, got `same_origin`; did you mean `same-origin`?")]
    [InlineData("    origins: []\n", "gw.yaml:5:14: routes[0].origins: must list at least one origin (or say `any` or `same-origin`)")]
    [InlineData("    origins: [chat.example.com]\n",
        "gw.yaml:5:15: routes[0].origins[0]: expected an origin like https://chat.example.com, https://*.example.com or http://localhost:3000 (scheme, host and optional port; no path), got `chat.example.com`")]
    [InlineData("    origins: ['https://chat.example.com/']\n",
        "gw.yaml:5:15: routes[0].origins[0]: expected an origin like https://chat.example.com, https://*.example.com or http://localhost:3000 (scheme, host and optional port; no path), got `https://chat.example.com/`")]
    [InlineData("    origins: ['https://a.*.example.com']\n",
        "gw.yaml:5:15: routes[0].origins[0]: expected an origin like https://chat.example.com, https://*.example.com or http://localhost:3000 (scheme, host and optional port; no path), got `https://a.*.example.com`")]
    [InlineData("    origins: ['https://A.com', 'https://a.com:443']\n",
        "gw.yaml:5:32: routes[0].origins[1]: `https://a.com:443` is listed twice (origins compare without case and default ports)")]
    [InlineData("    allow_missing_origin: true\n",
        "gw.yaml:5:27: routes[0].allow_missing_origin: only means something with `origins`: without `origins` the Origin header is not checked at all")]
    [InlineData("    origins: any\n    allow_missing_origin: yes\n", "gw.yaml:6:27: routes[0].allow_missing_origin: expected true or false, got `yes`")]
    public void Invalid_origins_give_one_exact_error(string body, string expected)
    {
        Assert.Equal([expected], Errors(Route(body) + Rest));
    }

    [Fact]
    public void Origins_are_normalized_with_default_ports_and_lower_case()
    {
        var route = Valid(Route("    origins: ['HTTPS://Chat.Example.com', 'https://*.example.com', 'http://localhost:3000', 'null']\n" +
            "    allow_missing_origin: true\n") + Rest).Routes[0];

        Assert.Equal(OriginMode.List, route.Origins!.Mode);
        Assert.Equal(["https://chat.example.com", "https://*.example.com", "http://localhost:3000"], route.Origins.Patterns.Select(p => p.ToString()));
        Assert.Equal(443, route.Origins.Patterns[0].Port);
        Assert.True(route.Origins.AllowNull);
        Assert.True(route.Origins.AllowMissing);
    }

    [Theory]
    [InlineData("any", OriginMode.Any)]
    [InlineData("same-origin", OriginMode.SameOrigin)]
    public void Keywords_choose_the_mode(string value, OriginMode mode)
    {
        var route = Valid(Route($"    origins: {value}\n") + Rest).Routes[0];

        Assert.Equal(mode, route.Origins!.Mode);
        Assert.False(route.Origins.AllowMissing);
    }

    [Fact]
    public void Without_origins_nothing_is_checked()
    {
        Assert.Null(Valid(Route("") + Rest).Routes[0].Origins);
    }
}
