using System.Net;
using System.Security.Authentication;

namespace Gateway.Configuration;

/// <summary>
/// One validated gateway.yaml (contract section 2). Immutable: a reload builds a new snapshot and swaps it whole,
/// so runtime code never sees half of an old config and half of a new one.
/// </summary>
public sealed record GatewayConfig(string SourcePath, IReadOnlyList<ListenerConfig> Listeners, LimitsConfig DefaultLimits,
    IReadOnlyList<RouteConfig> Routes, IReadOnlyDictionary<string, UpstreamConfig> Upstreams, DemoConfig? Demo)
{
    /// <summary>`admin`, `shutdown_grace` and `logging`.</summary>
    public OperationsConfig Operations { get; init; } = OperationsConfig.Default;
}

/// <summary>
/// <see cref="Address"/> is the text as written. In <see cref="EndPoint"/>, `localhost` is 127.0.0.1 and `*` is
/// 0.0.0.0; a host wanting Kestrel's dual-stack ListenLocalhost/ListenAnyIP can look at the address text.
/// </summary>
/// <summary>HandshakeTimeout (`handshake_timeout`): from the accept to a complete request head, TLS included.</summary>
public sealed record ListenerConfig(string Address, IPEndPoint EndPoint, TlsConfig? Tls, TimeSpan HandshakeTimeout)
{
    /// <summary>
    /// Kestrel's TLS handshake limit, and far below its 30 s for request headers and 130 s of keep-alive: nginx's
    /// 60 s client_header_timeout let slowloris hold sockets for a minute each; a WebSocket client that connects in
    /// good faith sends its upgrade request within milliseconds.
    /// </summary>
    public static readonly TimeSpan DefaultHandshakeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The longest accepted: Kestrel's own request-head limits are set just above it, as a backstop.</summary>
    public static readonly TimeSpan LongestHandshakeTimeout = TimeSpan.FromMinutes(5);

    public ListenerConfig(string address, IPEndPoint endPoint, TlsConfig? tls) : this(address, endPoint, tls, DefaultHandshakeTimeout)
    {
    }
}

/// <summary><see cref="ClientCertificates"/> null: no client certificate is asked for (mTLS off).</summary>
public sealed record TlsConfig(IReadOnlyList<CertificateConfig> Certificates, SslProtocols MinVersion,
    ClientCertificatesConfig? ClientCertificates = null)
{
    /// <summary>TLS 1.2 is the oldest version RFC 9325 section 3.1.1 still allows; 1.0 and 1.1 are deprecated by RFC 8996.</summary>
    public const SslProtocols DefaultMinVersion = SslProtocols.Tls12;
}

/// <summary>
/// Paths resolved to absolute, relative to the config file's directory. Either Cert+Key (PEM) or Cert alone as
/// .pfx/.p12 with optional Password. Hosts: optional SNI names ("*.example.com" allowed, lower-cased);
/// empty = from the certificate. SelfSignedIfMissing (extension, `self_signed_if_missing`): when both PEM files are
/// missing, the gateway writes a self-signed localhost certificate there (the default gateway.yaml's first run).
/// </summary>
public sealed record CertificateConfig(string CertPath, string? KeyPath, string? Password, IReadOnlyList<string> Hosts,
    bool SelfSignedIfMissing = false);

/// <summary>
/// Extension to the contract: `demo: { echo_address: 127.0.0.1:9001 }` makes the gateway also run a small echo
/// WebSocket server on that loopback address, so the default gateway.yaml works end to end with nothing else.
/// </summary>
public sealed record DemoConfig(IPEndPoint EchoEndPoint);
