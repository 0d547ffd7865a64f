using Gateway.Testing.Peers;

namespace Gateway.FunctionalTests.Infrastructure;

/// The npm `ws` echo server (tests/node/echo-upstream.js), shared by the tests of one class.
public sealed class NodeEchoUpstream : IAsyncLifetime
{
    private NodePeer? _peer;

    public Uri Address { get; private set; } = null!;

    public async Task InitializeAsync() => (_peer, Address) = await NodePeer.StartEchoUpstreamAsync();

    public async Task DisposeAsync()
    {
        if (_peer is not null)
        {
            await _peer.DisposeAsync();
        }
    }
}
