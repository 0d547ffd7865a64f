using System.Net;
using Gateway.Configuration;
using Gateway.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Xunit;

namespace Gateway.Tests.Hosting;

/// ListenerSet.WaitForBindingAsync, against a server whose bound addresses the test sets: the reload's warning
/// names what Kestrel has not yet bound or unbound.
public sealed class ListenerBindingTests
{
    private static ListenerConfig Listener(string address) => new(address, IPEndPoint.Parse(address), null);

    private static IServer ServerBoundTo(params string[] urls)
    {
        var addresses = new ServerAddressesFeature();
        foreach (var url in urls)
        {
            addresses.Addresses.Add(url);
        }

        var features = new FeatureCollection();
        features.Set<IServerAddressesFeature>(addresses);
        return new BoundServer(features);
    }

    [Fact]
    public async Task Addresses_as_configured_settle_at_once()
    {
        var server = ServerBoundTo("http://127.0.0.1:8080", "http://[::]:8443");

        var difference = await ListenerSet.WaitForBindingAsync(server, [Listener("[::]:8443"), Listener("127.0.0.1:8080")], TimeSpan.FromSeconds(5));

        Assert.Null(difference);
    }

    [Fact]
    public async Task A_removed_address_still_bound_and_a_new_one_not_yet_bound_are_named_when_the_wait_ends()
    {
        var server = ServerBoundTo("http://127.0.0.1:8080", "http://127.0.0.1:9000");

        var difference = await ListenerSet.WaitForBindingAsync(server, [Listener("127.0.0.1:8080"), Listener("127.0.0.1:9001")], TimeSpan.FromMilliseconds(100));

        Assert.Equal("still bound=127.0.0.1:9000 not yet bound=127.0.0.1:9001", difference);
    }

    [Fact]
    public async Task A_binding_that_completes_during_the_wait_settles_it()
    {
        var server = ServerBoundTo("http://127.0.0.1:8080");
        var addresses = server.Features.Get<IServerAddressesFeature>()!.Addresses;

        var waiting = ListenerSet.WaitForBindingAsync(server, [Listener("127.0.0.1:8080"), Listener("127.0.0.1:9001")], TimeSpan.FromSeconds(10));
        await Task.Delay(100);
        Assert.False(waiting.IsCompleted);
        addresses.Add("http://127.0.0.1:9001");

        Assert.Null(await waiting);
    }

    private sealed class BoundServer(IFeatureCollection features) : IServer
    {
        public IFeatureCollection Features { get; } = features;

        public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
            where TContext : notnull => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose()
        {
        }
    }

    private sealed class ServerAddressesFeature : IServerAddressesFeature
    {
        public ICollection<string> Addresses { get; } = new List<string>();

        public bool PreferHostingUrls { get; set; }
    }
}
