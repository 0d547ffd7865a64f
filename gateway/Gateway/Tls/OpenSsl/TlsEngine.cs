namespace Gateway.Tls.OpenSsl;

/// Which TLS runs the listeners: OpenSSL on the socket (ServerContexts, TlsSession), or .NET's SslStream over the
/// socket's pipe (TlsConnection). The OpenSSL engine is being built (docs/architecture.md, "TLS on OpenSSL"): until
/// it does all SslStream does, it is chosen with GATEWAY_TLS_ENGINE=openssl, and a listener that asks for client
/// certificates keeps SslStream.
internal static class TlsEngine
{
    public static bool OpenSsl { get; } =
        string.Equals(Environment.GetEnvironmentVariable("GATEWAY_TLS_ENGINE"), "openssl", StringComparison.OrdinalIgnoreCase);
}
