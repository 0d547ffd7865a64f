using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Configuration;
using Gateway.FunctionalTests.Infrastructure;
using Gateway.Hosting;
using Xunit;

namespace Gateway.FunctionalTests.Tls;

/// What a TLS client is served: the certificate its SNI names (exact, then wildcard, else the first), with the
/// intermediates that follow the leaf in the PEM file. The options behind it are built once at start.
public sealed class CertificateSelectionTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("gateway-tls-").FullName;
    private readonly int _port = FreePort.Next();
    private X509Certificate2 _intermediate = null!;
    private GatewayApp _app = null!;

    public async Task InitializeAsync()
    {
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var root = Authority("CN=Test root", rootKey, issuer: null, issuerKey: null);
        using var intermediateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _intermediate = Authority("CN=Test intermediate", intermediateKey, root, rootKey);
        WriteLeaf("alpha", "alpha.test", _intermediate, intermediateKey);
        WriteLeaf("beta", "beta.test", _intermediate, intermediateKey);
        string yaml = $$"""
            listen:
              - address: 127.0.0.1:{{_port}}
                tls:
                  certificates:
                    - cert: alpha.crt
                      key: alpha.key
                    - cert: beta.crt
                      key: beta.key
                      hosts: ["*.beta.test"]
            routes:
              - name: test
                match: { path: "/ws/{**rest}" }
                upstream: backend
            upstreams:
              backend:
                destinations: [ws://127.0.0.1:9]
            """;
        var loaded = ConfigLoader.LoadFromText(yaml, "tls.yaml", _directory);
        _app = GatewayApp.Create(loaded.Config ?? throw new InvalidOperationException(string.Join("\n", loaded.Errors)));
        await _app.StartAsync();
    }

    [Theory]
    [InlineData("alpha.test", "CN=alpha.test")]
    [InlineData("www.beta.test", "CN=beta.test")]
    [InlineData("other.test", "CN=alpha.test")]
    public async Task Sni_picks_the_certificate_and_the_chain_comes_with_it(string serverName, string subject)
    {
        X509Certificate2Collection? sent = null;
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", _port);
        await using var tls = new SslStream(tcp.GetStream(), false, (_, _, chain, _) =>
        {
            sent = chain?.ChainPolicy.ExtraStore;
            return true;
        });
        // A browser offers HTTP/2 first; the listener speaks HTTP/1.1 only, and says so in ALPN.
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = serverName,
            ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],
        });

        Assert.Equal(subject, tls.RemoteCertificate!.Subject);
        Assert.Contains(sent!.Cast<X509Certificate2>(), c => c.Thumbprint == _intermediate.Thumbprint);
        Assert.Equal("http/1.1", tls.NegotiatedApplicationProtocol.ToString());
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _intermediate.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static X509Certificate2 Authority(string name, ECDsa key, X509Certificate2? issuer, ECDsa? issuerKey)
    {
        var request = new CertificateRequest(name, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var (from, to) = (DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        if (issuer is null)
        {
            return request.CreateSelfSigned(from, to);
        }

        using var signed = request.Create(issuer.SubjectName, X509SignatureGenerator.CreateForECDsa(issuerKey!), from, to, [1, 2]);
        return signed.CopyWithPrivateKey(key);
    }

    /// The leaf and then the intermediate in one PEM file, as a "fullchain" file from a CA is.
    private void WriteLeaf(string file, string host, X509Certificate2 issuer, ECDsa issuerKey)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + host, key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(host);
        request.CertificateExtensions.Add(names.Build());
        using var leaf = request.Create(issuer.SubjectName, X509SignatureGenerator.CreateForECDsa(issuerKey),
            DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1), [(byte)file.Length, 3]);
        File.WriteAllText(Path.Combine(_directory, file + ".crt"), leaf.ExportCertificatePem() + "\n" + issuer.ExportCertificatePem());
        File.WriteAllText(Path.Combine(_directory, file + ".key"), key.ExportPkcs8PrivateKeyPem());
    }
}
