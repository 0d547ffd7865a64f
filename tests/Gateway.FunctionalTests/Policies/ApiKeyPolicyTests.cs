namespace Gateway.FunctionalTests.Policies;

/// `auth.api_keys`: the key only counts where the route says (a header here), and the upstream learns its name.
public sealed class ApiKeyPolicyTests(PolicyGatewayFixture fixture) : IClassFixture<PolicyGatewayFixture>
{
    [Fact]
    public async Task Known_key_in_the_header_is_admitted_under_its_name()
    {
        var request = await Refusals.AdmittedAsync(fixture, () => fixture.ConnectAsync("/apikey/x",
            ("X-Api-Key", PolicyGatewayFixture.ApiKey), ("X-Auth-Subject", "root")));

        Assert.Equal(["robot-1"], request.All("X-Auth-Subject"));
        Assert.Equal("api_key", request["X-Auth-Method"]);
        Assert.Null(request["X-Api-Key"]);
    }

    [Fact]
    public async Task Unknown_key_gets_401()
    {
        await Refusals.AssertAsync(fixture, () => fixture.ConnectAsync("/apikey/x", ("X-Api-Key", "robot-key-2")), 401, "invalid API key");
    }

    [Fact]
    public async Task Key_in_the_wrong_place_counts_as_no_key()
    {
        await Refusals.AssertAsync(fixture, () => fixture.ConnectAsync($"/apikey/x?api_key={PolicyGatewayFixture.ApiKey}"), 401, "credentials required");
        await Refusals.AssertAsync(fixture, () => fixture.ConnectAsync("/apikey/x", ("Authorization", "Bearer " + PolicyGatewayFixture.ApiKey)),
            401, "credentials required");
        await using var response = await fixture.ConnectAsync("/apikey/x");
        Assert.Equal("ApiKey realm=\"apikey\", header=\"X-Api-Key\"", response.Head["WWW-Authenticate"]);
    }
}
