using Gateway.Testing.Peers;

namespace Gateway.FunctionalTests.Policies;

/// Contract section 3, credential rows, for `auth.jwt`: 401 with a Bearer challenge for missing or bad tokens, 403
/// for a valid token lacking a required claim, and only the verified identity reaches the upstream.
public sealed class JwtPolicyTests(PolicyGatewayFixture fixture) : IClassFixture<PolicyGatewayFixture>
{
    private Task<RawClient.Response> WithToken(string token, string path = "/jwt/x") =>
        fixture.ConnectAsync(path, ("Authorization", "Bearer " + token));

    [Fact]
    public async Task Valid_token_is_admitted_and_only_the_verified_identity_goes_upstream()
    {
        var request = await Refusals.AdmittedAsync(fixture, () => fixture.ConnectAsync("/jwt/x",
            ("Authorization", "Bearer " + Tokens.Hs256("alice")), ("X-Auth-Subject", "admin"), ("X-Auth-Method", "none")));

        Assert.Equal(["alice"], request.All("X-Auth-Subject"));
        Assert.Equal(["jwt"], request.All("X-Auth-Method"));
        Assert.Equal(Tokens.Issuer, request["X-Auth-Issuer"]);
        Assert.Null(request["Authorization"]); // not in forward.headers
    }

    [Fact]
    public async Task No_token_gets_401_with_a_bearer_challenge()
    {
        await Refusals.AssertAsync(fixture, () => fixture.ConnectAsync("/jwt/x"), 401, "credentials required");
        await using var response = await fixture.ConnectAsync("/jwt/x");
        Assert.Equal("Bearer realm=\"jwt\"", response.Head["WWW-Authenticate"]);
    }

    public static TheoryData<string, string> BadTokens => new()
    {
        { "expired", Tokens.Hs256(notBefore: DateTime.UtcNow.AddMinutes(-20), expires: DateTime.UtcNow.AddMinutes(-5)) },
        { "not yet valid", Tokens.Hs256(notBefore: DateTime.UtcNow.AddMinutes(5), expires: DateTime.UtcNow.AddMinutes(20)) },
        { "wrong issuer", Tokens.Hs256(issuer: "https://evil.test") },
        { "wrong audience", Tokens.Hs256(audience: "billing") },
        { "tampered", Tokens.Tampered() },
        { "alg none", Tokens.Unsigned() },
        { "garbage", "not.a.token" },
    };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task Bad_tokens_get_401_saying_why(string what, string token)
    {
        string reason = what switch
        {
            "expired" => "token expired",
            "not yet valid" => "token not yet valid",
            "wrong issuer" => "wrong issuer",
            "wrong audience" => "wrong audience",
            "tampered" => "bad signature",
            _ => "invalid token",
        };

        await Refusals.AssertAsync(fixture, () => WithToken(token), 401, "invalid token");
        await using var response = await WithToken(token);
        Assert.Contains(reason, response.Body);
        Assert.Contains("error=\"invalid_token\"", response.Head["WWW-Authenticate"]);
    }

    [Fact]
    public async Task Hmac_signed_with_the_rsa_public_key_is_refused()
    {
        await Refusals.AdmittedAsync(fixture, () => WithToken(Tokens.Signed(new Microsoft.IdentityModel.Tokens.RsaSecurityKey(fixture.RsaKey), "RS256"), "/jwt-rs/x"));

        await Refusals.AssertAsync(fixture, () => WithToken(Tokens.HmacWithPublicKey(fixture.RsaPublicPem), "/jwt-rs/x"), 401, "invalid token");
    }

    [Fact]
    public async Task Valid_token_without_the_required_claim_gets_403()
    {
        await Refusals.AssertAsync(fixture, () => WithToken(Tokens.Hs256(scope: "billing")), 403, "token lacks the required claim scope");
    }

    [Fact]
    public async Task Token_in_the_query_is_accepted_and_removed_from_the_upstream_url()
    {
        var request = await Refusals.AdmittedAsync(fixture, () =>
            fixture.ConnectAsync($"/jwt/room?a=1&access_token={Tokens.Hs256("carol")}&b=2"));

        Assert.Equal("/jwt/room?a=1&b=2", request.Target);
        Assert.Equal("carol", request["X-Auth-Subject"]);
    }

    [Fact]
    public async Task Token_in_a_cookie_is_accepted()
    {
        var request = await Refusals.AdmittedAsync(fixture, () => fixture.ConnectAsync("/jwt/x", ("Cookie", "theme=dark; session=" + Tokens.Hs256("dave"))));

        Assert.Equal("dave", request["X-Auth-Subject"]);
    }

    [Fact]
    public async Task Jwks_rotation_is_picked_up_on_an_unknown_kid()
    {
        var key1 = new Microsoft.IdentityModel.Tokens.RsaSecurityKey(fixture.JwksKey1) { KeyId = "k1" };
        var key2 = new Microsoft.IdentityModel.Tokens.RsaSecurityKey(fixture.JwksKey2) { KeyId = "k2" };
        await Refusals.AdmittedAsync(fixture, () => WithToken(Tokens.Signed(key1, "RS256"), "/jwks/x"));
        int fetches = fixture.Auth.JwksFetches;

        fixture.Auth.Jwks = Tokens.JwksOf((fixture.JwksKey2, "k2"));
        await Task.Delay(Gateway.Policies.Auth.JwksSource.UnknownKidCooldown);

        await Refusals.AdmittedAsync(fixture, () => WithToken(Tokens.Signed(key2, "RS256"), "/jwks/x"));
        Assert.Equal(fetches + 1, fixture.Auth.JwksFetches);
        await Refusals.AssertAsync(fixture, () => WithToken(Tokens.Signed(key1, "RS256"), "/jwks/x"), 401, "invalid token");
    }
}
