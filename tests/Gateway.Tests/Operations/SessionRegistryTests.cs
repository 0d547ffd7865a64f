using System.IO.Pipelines;
using Gateway.Configuration;
using Gateway.Operations;
using Gateway.Relay;
using Gateway.Routing;
using Gateway.Tests.Relay;

namespace Gateway.Tests.Operations;

/// The end of a drain's grace: what is open is cut, and so is what registers afterwards.
public sealed class SessionRegistryTests
{
    private static readonly RelayLimits Limits = TestRelayLimits.Quiet;

    [Fact]
    public void CutOpen_cuts_the_open_sessions_and_any_session_registered_after_it()
    {
        var registry = new SessionRegistry(new RouteTableHolder(new RouteTable(Config())));
        int cutBefore = 0, cutAfter = 0;
        using var before = registry.Add("echo", Session(), cut: () => cutBefore++);

        Assert.Equal(1, registry.CutOpen());
        Assert.Equal(1, cutBefore);

        using var after = registry.Add("echo", Session(), cut: () => cutAfter++);
        Assert.Equal(1, cutAfter);
    }

    [Fact]
    public void Without_a_cut_a_registered_session_is_left_alone()
    {
        var registry = new SessionRegistry(new RouteTableHolder(new RouteTable(Config())));
        int cut = 0;
        using var registration = registry.Add("echo", Session(), cut: () => cut++);

        Assert.Equal(0, cut);
        Assert.Equal(1, registry.Count);
    }

    private static RelaySession Session() =>
        new(new DuplexPipe(new Pipe().Reader, new Pipe().Writer), new DuplexPipe(new Pipe().Reader, new Pipe().Writer), Limits);

    private static GatewayConfig Config()
    {
        var loaded = ConfigLoader.LoadFromText("""
            listen:
              - address: 127.0.0.1:1
            routes:
              - name: echo
                match: { path: '/{**rest}' }
                upstream: echo
            upstreams:
              echo: { destinations: ['ws://127.0.0.1:2'] }
            """, "test.yaml", Path.GetTempPath());
        return loaded.Config ?? throw new InvalidOperationException(string.Join("\n", loaded.Errors));
    }
}
