using Gateway.Testing.Peers;

namespace Gateway.FunctionalTests.Policies;

internal static class Refusals
{
    /// A refused upgrade: the status, the plain-text reason, no 101, and the upstream never contacted.
    public static async Task AssertAsync(PolicyGatewayFixture fixture, Func<Task<RawClient.Response>> connect, int status, string reason)
    {
        int before = fixture.Upstream.ConnectionCount;
        await using var response = await connect();

        Assert.True(response.Status == status, $"expected {status}, got {response.Status} {response.Body}");
        Assert.Contains(reason, response.Body);
        Assert.StartsWith("text/plain", response.Head["Content-Type"]);
        if (status == 401)
        {
            Assert.False(string.IsNullOrEmpty(response.Head["WWW-Authenticate"]), "401 without WWW-Authenticate");
        }

        if (status is 429 or 503 && reason != "auth service unavailable")
        {
            Assert.True(int.Parse(response.Head["Retry-After"]!) >= 1);
        }

        Assert.Equal(before, fixture.Upstream.ConnectionCount);
        await fixture.Gateway.Logs.WaitForAsync($"status={status} reason=\"{reason}");
    }

    /// An admitted upgrade: 101 to the client, and the request the upstream received.
    public static async Task<HttpHead> AdmittedAsync(PolicyGatewayFixture fixture, Func<Task<RawClient.Response>> connect)
    {
        await using var response = await connect();
        Assert.True(response.Status == 101, $"expected 101, got {response.Status} {response.Body}");
        var (request, frames) = await fixture.Upstream.AcceptAsync();
        await frames.DisposeAsync();
        return request;
    }
}
