namespace Gateway.Tls.OpenSsl;

/// Which TLS runs the listeners: OpenSSL on the socket (ServerContexts, TlsSession), the default, or .NET's
/// SslStream over the socket's pipe (TlsConnection), kept as a fallback: GATEWAY_TLS_ENGINE=sslstream. Both run
/// the same certificates, SNI, ALPN, versions and client certificate checks (docs/architecture.md, "TLS").
internal static class TlsEngine
{
    public static bool OpenSsl { get; } =
        !string.Equals(Environment.GetEnvironmentVariable("GATEWAY_TLS_ENGINE"), "sslstream", StringComparison.OrdinalIgnoreCase);
}
