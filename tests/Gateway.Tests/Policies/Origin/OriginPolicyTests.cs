using Gateway.Configuration;
using Gateway.Policies.Origin;
using Microsoft.Extensions.Primitives;

namespace Gateway.Tests.Policies.Origin;

public sealed class OriginPolicyTests
{
    private static OriginPolicy List(params string[] patterns) => new(new OriginsConfig(OriginMode.List,
        [.. patterns.Select(p => OriginPattern.Parse(p, allowWildcard: true)!)], AllowNull: false, AllowMissing: false));

    [Theory]
    [InlineData("https://*.example.com", "https://a.example.com", true)]
    [InlineData("https://*.example.com", "https://a.b.example.com", true)]
    [InlineData("https://*.example.com", "https://example.com", false)]
    [InlineData("https://*.example.com", "https://xexample.com", false)]
    [InlineData("https://*.example.com", "https://a.example.com:8443", false)]
    [InlineData("https://example.com", "https://EXAMPLE.com:443", true)]
    [InlineData("https://example.com:443", "https://example.com", true)]
    [InlineData("http://example.com", "https://example.com", false)]
    [InlineData("http://[::1]:3000", "http://[::1]:3000", true)]
    public void Patterns_match_after_normalizing(string pattern, string origin, bool admitted)
    {
        var refusal = List(pattern).Check(new StringValues(origin), "gw.test", isHttps: true);

        Assert.Equal(admitted ? null : 403, refusal?.Status);
    }

    [Theory]
    [InlineData("https://chat.example.com", "chat.example.com", true, true)]
    [InlineData("https://chat.example.com", "chat.example.com", false, true)] // behind a TLS terminator
    [InlineData("https://chat.example.com", "chat.example.com:8443", true, false)]
    [InlineData("https://chat.example.com:8443", "chat.example.com:8443", true, true)]
    [InlineData("https://chat.example.com", "Chat.Example.com:443", true, true)]
    [InlineData("https://evil.example.com", "chat.example.com", true, false)]
    public void Same_origin_compares_with_host(string origin, string host, bool https, bool admitted)
    {
        var policy = new OriginPolicy(new OriginsConfig(OriginMode.SameOrigin, [], false, false));

        Assert.Equal(admitted, policy.Check(new StringValues(origin), host, https) is null);
    }

    [Fact]
    public void Null_multiple_and_missing_origins_are_refused_by_default()
    {
        var policy = List("https://example.com");

        Assert.Equal("Origin null not allowed", policy.Check(new StringValues("null"), "h", true)?.Reason);
        Assert.Equal("more than one Origin", policy.Check(new StringValues(["https://example.com", "https://example.com"]), "h", true)?.Reason);
        Assert.Equal("more than one Origin", policy.Check(new StringValues("https://example.com, https://evil.test"), "h", true)?.Reason);
        Assert.Equal("Origin header required", policy.Check(StringValues.Empty, "h", true)?.Reason);
    }

    [Fact]
    public void Any_admits_every_origin_including_null_but_not_two()
    {
        var policy = new OriginPolicy(new OriginsConfig(OriginMode.Any, [], AllowNull: true, AllowMissing: false));

        Assert.Null(policy.Check(new StringValues("https://whatever.test"), "h", true));
        Assert.Null(policy.Check(new StringValues("null"), "h", true));
        Assert.NotNull(policy.Check(new StringValues(["https://a.test", "https://b.test"]), "h", true));
    }
}
