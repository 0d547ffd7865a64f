using System.Security.Cryptography.X509Certificates;
using Gateway.FunctionalTests.Infrastructure;
using Gateway.Testing.Files;
using Gateway.Testing.Peers;

namespace Gateway.FunctionalTests.Policies;

/// `client_certificates.mode: require` is enforced in the TLS handshake of that listener only: no certificate, no
/// TLS session; the plain listener of the same gateway is not asked for one.
public sealed class RequiredClientCertificateTests
{
    [Fact]
    public async Task Require_fails_the_handshake_without_a_certificate_and_admits_one_from_the_ca()
    {
        using var temp = TempDirectory.Create("mtls-require-");
        var directory = temp.Path;
        using var ca = ClientCertificateTests.CreateCa("CN=Require CA");
        using var robot = ClientCertificateTests.CreateClient(ca, "CN=robot-2");
        string caPath = Path.Combine(directory, "ca.crt");
        await File.WriteAllTextAsync(caPath, ca.ExportCertificatePem());
        await using var upstream = ScriptedUpstream.Accepting();
        await using var gateway = await GatewayUnderTest.StartAsync($$"""
            routes:
              - name: any
                upstream: up
                match: { path: '/ws/{**rest}' }
            upstreams:
              up: { destinations: ['{{upstream.Address}}'] }
            """, tlsExtra: $"client_certificates: {{ mode: require, ca: '{caPath}' }}");
        string request = RawClient.UpgradeRequest("/ws/x", gateway.Wss.Authority);

        await Assert.ThrowsAnyAsync<Exception>(() => RawClient.SendAsync(gateway.Wss, request, tls: true));
        await using var admitted = await RawClient.SendAsync(gateway.Wss, request, tls: true, new X509CertificateCollection { robot });
        await using var plain = await RawClient.ConnectAsync(gateway.Ws, "/ws/x");

        Assert.Equal(101, admitted.Status);
        Assert.Equal(101, plain.Status);
    }
}
