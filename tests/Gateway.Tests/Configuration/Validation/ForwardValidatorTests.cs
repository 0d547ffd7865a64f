using static Gateway.Tests.Configuration.ConfigTestText;

namespace Gateway.Tests.Configuration.Validation;

public sealed class ForwardValidatorTests
{
    private const string Rest = Listen + Upstreams;

    private static string Route(string body) => "routes:\n  - name: chat\n    upstream: chat\n    match: { path: /ws }\n" + body;

    [Theory]
    [InlineData("    forward: { headers: [X-Auth-Subject] }\n",
        "gw.yaml:5:26: routes[0].forward.headers[0]: `X-Auth-Subject`: X-Auth-* headers come from the verified identity (`identity_headers: true`), never from the client")]
    [InlineData("    forward: { headers: [Host] }\n",
        "gw.yaml:5:26: routes[0].forward.headers[0]: `Host` is written by the gateway itself and cannot be copied from the client")]
    [InlineData("    forward: { headers: [sec-websocket-key] }\n",
        "gw.yaml:5:26: routes[0].forward.headers[0]: `sec-websocket-key`: Sec-WebSocket-* headers are written by the gateway itself and cannot be copied from the client")]
    [InlineData("    forward: { headers: ['Bad Header'] }\n", "gw.yaml:5:26: routes[0].forward.headers[0]: `Bad Header` is not a valid header name")]
    [InlineData("    forward: { headers: [Cookie, cookie] }\n", "gw.yaml:5:34: routes[0].forward.headers[1]: `cookie` is listed twice")]
    [InlineData("    forward: { identity_headers: 1 }\n", "gw.yaml:5:34: routes[0].forward.identity_headers: expected true or false, got `1`")]
    [InlineData("    forward: { header: [Cookie] }\n", "gw.yaml:5:16: routes[0].forward.header: unknown key `header`; did you mean `headers`?")]
    public void Invalid_forward_gives_one_exact_error(string body, string expected)
    {
        Assert.Equal([expected], Errors(Route(body) + Rest));
    }

    [Fact]
    public void Forward_lists_headers_and_identity()
    {
        var forward = Valid(Route("    forward: { headers: [Cookie, Authorization], identity_headers: true }\n") + Rest).Routes[0].Forward!;

        Assert.Equal(["Cookie", "Authorization"], forward.Headers);
        Assert.True(forward.IdentityHeaders);
    }
}
