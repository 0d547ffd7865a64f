using Gateway.Testing.Peers;

namespace Gateway.FunctionalTests.Policies;

/// Contract section 3, Origin rows: 403 before any upstream is contacted, with origins compared after normalizing.
public sealed class OriginPolicyTests(PolicyGatewayFixture fixture) : IClassFixture<PolicyGatewayFixture>
{
    [Theory]
    [InlineData("http://allowed.test")]
    [InlineData("HTTP://Allowed.TEST:80")]
    [InlineData("https://chat.example.com")]
    [InlineData("https://a.b.example.com")]
    [InlineData("http://localhost:3000")]
    public async Task Listed_origins_are_admitted(string origin)
    {
        var request = await Refusals.AdmittedAsync(fixture, () => fixture.ConnectAsync("/origin-list/x", ("Origin", origin)));

        Assert.Equal(origin, request["Origin"]);
    }

    [Theory]
    [InlineData("https://example.com", "Origin not allowed")] // a wildcard never matches the bare domain
    [InlineData("https://example.com.evil.test", "Origin not allowed")]
    [InlineData("https://evilexample.com", "Origin not allowed")]
    [InlineData("http://chat.example.com", "Origin not allowed")] // scheme differs
    [InlineData("https://allowed.test", "Origin not allowed")]
    [InlineData("http://localhost:3001", "Origin not allowed")]
    [InlineData("null", "Origin null not allowed")]
    [InlineData("not an origin", "Origin is not a valid origin")]
    public async Task Other_origins_get_403(string origin, string reason)
    {
        await Refusals.AssertAsync(fixture, () => fixture.ConnectAsync("/origin-list/x", ("Origin", origin)), 403, reason);
    }

    [Fact]
    public async Task Missing_origin_gets_403_unless_allowed()
    {
        await Refusals.AssertAsync(fixture, () => fixture.ConnectAsync("/origin-list/x"), 403, "Origin header required");
        await Refusals.AdmittedAsync(fixture, () => fixture.ConnectAsync("/origin-same/x"));
    }

    [Fact]
    public async Task Two_origin_headers_get_403()
    {
        var request = RawClient.UpgradeRequest("/origin-list/x", fixture.Gateway.Ws.Authority)
            .Replace("\r\n\r\n", "\r\nOrigin: http://allowed.test\r\nOrigin: https://evil.test\r\n\r\n");

        await Refusals.AssertAsync(fixture, () => RawClient.SendAsync(fixture.Gateway.Ws, request), 403, "more than one Origin");
    }

    [Fact]
    public async Task Same_origin_compares_host_and_port_with_the_host_header()
    {
        var ws = fixture.Gateway.Ws;
        await Refusals.AdmittedAsync(fixture, () => fixture.ConnectAsync("/origin-same/x", ("Origin", $"http://{ws.Authority}")));
        await Refusals.AssertAsync(fixture, () => fixture.ConnectAsync("/origin-same/x", ("Origin", $"http://127.0.0.1:{ws.Port + 1}")),
            403, "Origin not allowed");
        await Refusals.AssertAsync(fixture, () => fixture.ConnectAsync("/origin-same/x", ("Origin", $"http://localhost:{ws.Port}")),
            403, "Origin not allowed");
    }
}
