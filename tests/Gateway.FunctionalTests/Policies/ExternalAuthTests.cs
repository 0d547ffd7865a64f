using System.Diagnostics;

namespace Gateway.FunctionalTests.Policies;

/// `auth.external`: 2xx admits with the service's X-Auth-* headers, 401 and 403 are relayed, and a service that is
/// down or slow fails closed with 503 within its timeout.
public sealed class ExternalAuthTests(PolicyGatewayFixture fixture) : IClassFixture<PolicyGatewayFixture>
{
    [Fact]
    public async Task Service_2xx_admits_with_its_identity_headers()
    {
        var request = await Refusals.AdmittedAsync(fixture, () => fixture.ConnectAsync("/external/x?room=1",
            ("Authorization", "Bearer let-me-in"), ("X-Auth-Role", "root")));

        Assert.Equal("ext-user", request["X-Auth-Subject"]);
        Assert.Equal(["admin"], request.All("X-Auth-Role"));
        Assert.Equal("external", request["X-Auth-Method"]);
        var sent = fixture.Auth.LastCheckHeaders!;
        Assert.Equal("Bearer let-me-in", sent.Authorization.ToString());
        Assert.Equal("/external/x?room=1", sent["X-Forwarded-Uri"].ToString());
        Assert.Equal("GET", sent["X-Forwarded-Method"].ToString());
    }

    [Fact]
    public async Task Service_401_and_403_are_relayed()
    {
        await Refusals.AssertAsync(fixture, () => fixture.ConnectAsync("/external/x", ("Authorization", "Bearer nope")), 401, "refused by the auth service");
        await using (var response = await fixture.ConnectAsync("/external/x"))
        {
            Assert.Equal("Basic realm=\"ext\"", response.Head["WWW-Authenticate"]);
        }

        await Refusals.AssertAsync(fixture, () => fixture.ConnectAsync("/external/x", ("Authorization", "Bearer forbid")), 403, "forbidden by the auth service");
    }

    [Fact]
    public async Task Service_down_gives_503()
    {
        await Refusals.AssertAsync(fixture, () => fixture.ConnectAsync("/external-down/x"), 503, "auth service unavailable");
        await fixture.Gateway.Logs.WaitForAsync("External auth failed");
    }

    [Fact]
    public async Task Slow_service_gives_503_within_its_timeout()
    {
        var clock = Stopwatch.StartNew();

        await Refusals.AssertAsync(fixture, () => fixture.ConnectAsync("/external-slow/x"), 503, "auth service unavailable");

        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(2)); // timeout: 300ms; the service takes 5 s
    }
}
