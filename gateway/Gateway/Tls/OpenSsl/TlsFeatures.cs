using System.Net.Security;
using System.Runtime.InteropServices;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Gateway.Tls.OpenSsl;

/// What Kestrel, the policies and the access log read about a connection's TLS, taken from OpenSSL once, after the
/// handshake. Only on Kestrel's features: a session that takes the connection over keeps none of it.
internal sealed class TlsFeatures : ITlsConnectionFeature, ITlsHandshakeFeature, ITlsApplicationProtocolFeature
{
    private TlsFeatures(SslProtocols protocol, TlsCipherSuite? cipherSuite, string hostName, ReadOnlyMemory<byte> applicationProtocol,
        X509Certificate2? clientCertificate)
    {
        ClientCertificate = clientCertificate;
        Protocol = protocol;
        NegotiatedCipherSuite = cipherSuite;
        HostName = hostName;
        ApplicationProtocol = applicationProtocol;
    }

    public static unsafe TlsFeatures Of(SslHandle ssl)
    {
        var protocol = LibSsl.SSL_version(ssl) switch
        {
            LibSsl.Tls13Version => SslProtocols.Tls13,
            LibSsl.Tls12Version => SslProtocols.Tls12,
            _ => SslProtocols.None,
        };
        nint cipher = LibSsl.SSL_get_current_cipher(ssl);
        TlsCipherSuite? suite = cipher == 0 ? null : (TlsCipherSuite)LibSsl.SSL_CIPHER_get_protocol_id(cipher);
        byte* alpn;
        uint alpnLength;
        LibSsl.SSL_get0_alpn_selected(ssl, &alpn, &alpnLength);
        var applicationProtocol = alpnLength == 0 ? ReadOnlyMemory<byte>.Empty : new ReadOnlySpan<byte>(alpn, (int)alpnLength).ToArray();
        return new TlsFeatures(protocol, suite, LibSsl.ServerName(ssl) ?? "", applicationProtocol,
            LibSsl.ToCertificate(LibSsl.SSL_get0_peer_certificate(ssl)));
    }

    /// The certificate the client presented (mTLS), already checked against the listener's CA in the handshake.
    public X509Certificate2? ClientCertificate { get; set; }

    public Task<X509Certificate2?> GetClientCertificateAsync(CancellationToken cancellationToken) => Task.FromResult(ClientCertificate);

    public SslProtocols Protocol { get; }

    public TlsCipherSuite? NegotiatedCipherSuite { get; }

    public string HostName { get; }

    public ReadOnlyMemory<byte> ApplicationProtocol { get; }

#pragma warning disable SYSLIB0058 // required by the interface; NegotiatedCipherSuite says it all
    public CipherAlgorithmType CipherAlgorithm => CipherAlgorithmType.None;
    public int CipherStrength => 0;
    public HashAlgorithmType HashAlgorithm => HashAlgorithmType.None;
    public int HashStrength => 0;
    public ExchangeAlgorithmType KeyExchangeAlgorithm => ExchangeAlgorithmType.None;
    public int KeyExchangeStrength => 0;
#pragma warning restore SYSLIB0058
}
