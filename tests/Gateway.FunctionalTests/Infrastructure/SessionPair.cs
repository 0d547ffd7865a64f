using Gateway.Testing.Peers;

namespace Gateway.FunctionalTests.Infrastructure;

/// A session through the gateway with raw peers at both ends: a raw TCP client (which masks, or not, as the test
/// says) and a scripted upstream. Tests send any bytes from either side and assert what the other side receives.
public sealed class SessionPair : IAsyncDisposable
{
    private SessionPair(GatewayUnderTest gateway, ScriptedUpstream upstream, RawClient.Response client, FrameStream upstreamFrames, HttpHead upstreamRequest)
    {
        Gateway = gateway;
        Upstream = upstream;
        ClientResponse = client;
        UpstreamRequest = upstreamRequest;
        Client = client.Frames;
        Client.MasksOutgoing = true;
        UpstreamSide = upstreamFrames;
    }

    public GatewayUnderTest Gateway { get; }
    public ScriptedUpstream Upstream { get; }
    public RawClient.Response ClientResponse { get; }
    public HttpHead UpstreamRequest { get; }

    /// The client's end: what the gateway sends to the client, and raw bytes to send to it.
    public FrameStream Client { get; }

    /// The upstream's end: what the gateway sends upstream, and raw bytes to send back.
    public FrameStream UpstreamSide { get; }

    /// `routeExtra` goes under the route, e.g. "limits: { max_frame_size: 1KiB }".
    public static async Task<SessionPair> OpenAsync(string routeExtra = "")
    {
        var upstream = ScriptedUpstream.Accepting();
        var gateway = await GatewayUnderTest.ForUpstreamAsync(upstream.Address, routeExtra);
        var client = await RawClient.ConnectAsync(gateway.Ws, "/ws/raw");
        if (client.Status != 101)
        {
            throw new InvalidOperationException($"handshake failed: {client.Status} {client.Body}");
        }

        var (request, frames) = await upstream.AcceptAsync();
        return new SessionPair(gateway, upstream, client, frames, request);
    }

    public async ValueTask DisposeAsync()
    {
        await ClientResponse.DisposeAsync();
        await UpstreamSide.DisposeAsync();
        await Gateway.DisposeAsync();
        await Upstream.DisposeAsync();
    }
}
