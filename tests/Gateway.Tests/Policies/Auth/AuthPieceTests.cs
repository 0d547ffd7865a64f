using System.Security.Cryptography;
using Gateway.Configuration;
using Gateway.Policies.Auth;

namespace Gateway.Tests.Policies.Auth;

public sealed class AuthPieceTests
{
    [Theory]
    [InlineData("CN=robot-*", "CN=robot-1, O=Example", true)]
    [InlineData("CN=robot-*", "CN=human, O=robot-farm", false)]
    [InlineData("cn=ROBOT-*", "CN=robot-1", true)]
    [InlineData("CN=robot-1, O=Example", "CN=robot-1, O=Example", true)]
    [InlineData("O=Example", "CN=x, O=Example", true)]
    [InlineData("*", "CN=anyone", true)]
    [InlineData("CN=robot-?", "CN=robot-1", false)]
    public void Subject_patterns_match_the_subject_or_one_part(string pattern, string subject, bool matches)
    {
        Assert.Equal(matches, ClientCertificateAuthenticator.SubjectMatches(pattern, subject));
    }

    [Theory]
    [InlineData("?a=1&access_token=x&b=2", "?a=1&b=2")]
    [InlineData("?access_token=x", "")]
    [InlineData("?api_key=k&access%5Ftoken=x&keep=%20", "?keep=%20")]
    [InlineData("?a=1", "?a=1")]
    [InlineData("", "")]
    public void Credential_parameters_are_stripped_and_the_rest_kept_as_sent(string query, string expected)
    {
        var auth = new AuthConfig(
            new JwtConfig(["HS256"], [], null, null, null, new Dictionary<string, string>(), [new TokenSource(TokenLocation.Query, "access_token")]),
            new ApiKeysConfig(null, "api_key", []), null, null);

        Assert.Equal(expected, CredentialQuery.Strip(query, auth));
    }

    [Fact]
    public void Api_keys_compare_digests_and_name_the_match()
    {
        var keys = new ApiKeysConfig("X-Api-Key", null, [
            new ApiKeyDigest(SHA256.HashData("one"u8), "first"),
            new ApiKeyDigest(SHA256.HashData("two"u8), "second")]);
        var authenticator = new ApiKeyAuthenticator("r", keys);

        Assert.Equal("second", authenticator.Check("two").Identity!.Subject);
        Assert.Equal(401, authenticator.Check("three").Refusal?.Status);
        Assert.True(authenticator.Check("three").SawCredentials);
        Assert.False(authenticator.Check("").SawCredentials);
        Assert.Equal(401, authenticator.Check(new string('k', 5000)).Refusal?.Status);
    }

    [Fact]
    public void Identity_headers_cannot_carry_a_line_break()
    {
        var identity = new Identity("jwt", "alice\r\nX-Admin: yes", [new("X-Auth-Issuer", "https://id.test")]);

        Assert.Equal([
            new("X-Auth-Subject", "alice%0D%0AX-Admin%3A%20yes"),
            new("X-Auth-Method", "jwt"),
            new("X-Auth-Issuer", "https://id.test")], identity.Headers());
    }
}
