using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using Gateway.Configuration;
using Gateway.Tls;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Hosting;

/// Kestrel's listeners, from `listen`, kept in an IConfiguration that a reload replaces. Kestrel's configuration
/// reload (KestrelConfigurationLoader with reloadOnChange) then binds the new endpoints and unbinds the removed ones,
/// and leaves every unchanged endpoint and its connections alone. An endpoint's identity is its URL: scheme, address
/// and port. TLS settings (certificates, versions, client certificate rules) are looked up per connection, from the
/// listener the connection arrived on, so a new certificate or `min_version` applies to new connections without a rebind.
public sealed class ListenerSet
{
    private const string EndpointsKey = "Endpoints";

    private readonly ReplaceableConfiguration _source = new();
    private volatile Prepared _current = new([]);

    public ListenerSet() => Configuration = new ConfigurationBuilder().Add(_source).Build();

    public IConfiguration Configuration { get; }

    public IReadOnlyList<ListenerConfig> Current => [.. _current.Listeners.Select(l => l.Listener)];

    /// Loads every certificate first: a reload with an unreadable one is rejected before anything changes.
    public static Prepared Prepare(GatewayConfig config, ILogger logger) =>
        new([.. config.Listeners.Select(l => new PreparedListener(l, l.Tls is null ? null : ListenerTls.Prepare(l.Tls, logger)))]);

    public void ConfigureKestrel(KestrelServerOptions kestrel)
    {
        kestrel.AddServerHeader = false;
        // `handshake_timeout` (Transport/HandshakeDeadline) bounds every connection's wait for a request head, far below
        // these; Kestrel's own stay as a backstop just above the longest the configuration accepts.
        kestrel.Limits.RequestHeadersTimeout = ListenerConfig.LongestHandshakeTimeout + TimeSpan.FromSeconds(5);
        kestrel.Limits.KeepAliveTimeout = ListenerConfig.LongestHandshakeTimeout + TimeSpan.FromSeconds(5);
        // Every endpoint is plain HTTP in Kestrel's configuration; a TLS listener gets our own TLS layer here
        // (TlsConnectionMiddleware, so wss:// sessions can take their connections over), which hands SslStream the
        // prebuilt options of the listener (looked up per connection, so a reload's certificates and client
        // certificate rules apply to new connections) for the client's SNI name.
        kestrel.ConfigureEndpointDefaults(endpoint =>
        {
            if (_current.Find(endpoint.IPEndPoint) is { Tls: { } boundTls })
            {
                var logger = kestrel.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("Gateway.Tls");
                var tls = new TlsConnectionMiddleware(local => For(local)?.Tls ?? boundTls, logger);
                endpoint.Use(next => context => tls.OnConnectionAsync(context, next));
            }
        });
        kestrel.Configure(Configuration, reloadOnChange: true);
    }

    /// New listeners' addresses that something else already holds (a reload is refused rather than half applied).
    public IReadOnlyList<string> Unbindable(GatewayConfig next)
    {
        var busy = new List<string>();
        // A port one of our own listeners holds is freed by Kestrel before it binds the new endpoint: not probed.
        foreach (var listener in next.Listeners.Where(n => !_current.Listeners.Any(c => c.Listener.EndPoint.Port == n.EndPoint.Port)))
        {
            using var probe = new Socket(listener.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            // As Kestrel binds on Linux: a port with connections in TIME_WAIT is free.
            probe.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            try
            {
                probe.Bind(listener.EndPoint);
            }
            catch (SocketException e)
            {
                busy.Add($"{listener.Address}: cannot listen there ({e.SocketErrorCode})");
            }
        }

        return busy;
    }

    /// Swaps the TLS table, then the endpoints (Kestrel rebinds what changed, in the background).
    public void Apply(Prepared next)
    {
        _current = next;
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (listener, tls) in next.Listeners)
        {
            // TLS is in the name: turning it on or off is a new endpoint, which Kestrel binds anew.
            var name = $"{EndpointsKey}:{NameOf(listener.EndPoint)}{(tls is null ? "" : "_tls")}";
            data[name + ":Url"] = $"http://{listener.EndPoint}";
            // WebSocket upgrades are HTTP/1.1 (RFC 6455); HTTP/2 WebSockets (RFC 8441) are not relayed yet.
            data[name + ":Protocols"] = nameof(HttpProtocols.Http1);
        }

        _source.Replace(data);
    }

    /// Waits (bounded) until Kestrel's bound addresses are those of `listeners`; null then, else what still differs.
    public static async Task<string?> WaitForBindingAsync(IServer server, IReadOnlyList<ListenerConfig> listeners, TimeSpan timeout)
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()!.Addresses;
        var wanted = listeners.Select(l => (l.EndPoint.Address, l.EndPoint.Port)).ToHashSet();
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var bound = addresses.ToArray().Select(a => new Uri(a)).Select(u => (IPAddress.Parse(u.Host.Trim('[', ']')), u.Port)).ToHashSet();
            if (bound.SetEquals(wanted))
            {
                return null;
            }

            if (DateTime.UtcNow >= deadline)
            {
                static string List(IEnumerable<(IPAddress Address, int Port)> set) =>
                    set.Any() ? string.Join(",", set.Select(e => new IPEndPoint(e.Address, e.Port))) : "-";
                return $"still bound={List(bound.Except(wanted))} not yet bound={List(wanted.Except(bound))}";
            }

            await Task.Delay(20);
        }
    }

    /// Whether a connection that arrived on `local` survives `next`: its listener is still there with the same
    /// address and scheme (Kestrel rebinds an endpoint whose URL changed, cutting its connections).
    public bool Keeps(Prepared next, IPEndPoint local) =>
        _current.Find(local) is { } now && next.Find(local) is { } then
        && now.Listener.EndPoint.Equals(then.Listener.EndPoint) && (now.Tls is null) == (then.Tls is null);

    private PreparedListener? For(EndPoint? local) => _current.Find(local);

    /// How a connection accepted on `local` starts, from the listener as configured now.
    public Transport.AcceptSettings? AcceptSettingsFor(EndPoint local) => For(local) is { } listener
        ? new(listener.Tls is not null, listener.Tls?.Contexts is not null, listener.Listener.HandshakeTimeout)
        : null;

    /// The startup line's words for a bound address (`http://127.0.0.1:8443` as Kestrel says it; every endpoint
    /// is plain HTTP there): the URL a client uses, and what it serves.
    public (string Url, string Serves) Describe(string boundUrl)
    {
        var uri = new Uri(boundUrl);
        var listener = IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address)
            ? For(new IPEndPoint(address, uri.Port))
            : _current.Listeners.FirstOrDefault(l => l.Listener.EndPoint.Port == uri.Port); // a name: localhost
        if (listener?.Tls is not { } tls)
        {
            return ($"http://{uri.Authority}", "ws:// and http://");
        }

        var names = tls.ServedNames.Count > 0 ? string.Join(", ", tls.ServedNames.Distinct()) : "no names (the first certificate for every client)";
        return ($"https://{uri.Authority}", $"wss:// and https://; certificates for {names}");
    }

    private static string NameOf(IPEndPoint endPoint) =>
        "listener_" + new string([.. endPoint.ToString().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')]);

    public sealed record PreparedListener(ListenerConfig Listener, ListenerTls? Tls);

    public sealed record Prepared(IReadOnlyList<PreparedListener> Listeners)
    {
        /// The listener a connection arrived on: same port, same address or a wildcard one.
        public PreparedListener? Find(EndPoint? local)
        {
            if (local is not IPEndPoint ip)
            {
                return null;
            }

            var address = ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address;
            PreparedListener? wildcard = null;
            foreach (var listener in Listeners)
            {
                var endPoint = listener.Listener.EndPoint;
                if (endPoint.Port != ip.Port)
                {
                    continue;
                }

                if (endPoint.Address.Equals(address))
                {
                    return listener;
                }

                wildcard ??= endPoint.Address.Equals(IPAddress.Any) || endPoint.Address.Equals(IPAddress.IPv6Any) ? listener : null;
            }

            return wildcard;
        }
    }

    /// An in-memory configuration whose whole content is replaced at once, firing one reload token.
    private sealed class ReplaceableConfiguration : ConfigurationProvider, IConfigurationSource
    {
        public IConfigurationProvider Build(IConfigurationBuilder builder) => this;

        public void Replace(Dictionary<string, string?> data)
        {
            Data = data;
            OnReload();
        }
    }
}
