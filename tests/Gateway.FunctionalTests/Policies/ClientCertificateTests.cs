using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.FunctionalTests.Infrastructure;
using Gateway.Testing.Peers;

namespace Gateway.FunctionalTests.Policies;

/// mTLS: the listener asks for a client certificate (`mode: allow`) and accepts only chains to its `ca`; the route
/// admits subjects matching `CN=robot-*` and tells the upstream which one.
public sealed class ClientCertificateTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mtls-test-").FullName;
    private readonly ScriptedUpstream _upstream = ScriptedUpstream.Accepting();
    private X509Certificate2 _ca = null!;
    private GatewayUnderTest _gateway = null!;

    public async Task InitializeAsync()
    {
        _ca = CreateCa("CN=Test Client CA");
        string caPath = Path.Combine(_directory, "clients-ca.crt");
        await File.WriteAllTextAsync(caPath, _ca.ExportCertificatePem());
        _gateway = await GatewayUnderTest.StartAsync($$"""
            defaults:
              limits: { close_timeout: 300ms }
            routes:
              - name: robots
                upstream: up
                match: { path: '/robots/{**rest}' }
                auth: { client_certificate: { subjects: ['CN=robot-*'] } }
                forward: { identity_headers: true }
            upstreams:
              up: { destinations: ['{{_upstream.Address}}'] }
            """, tlsExtra: $"client_certificates: {{ mode: allow, ca: '{caPath}' }}");
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
        _ca.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private Task<RawClient.Response> ConnectAsync(X509Certificate2? certificate) =>
        RawClient.SendAsync(_gateway.Wss, RawClient.UpgradeRequest("/robots/x", _gateway.Wss.Authority), tls: true,
            certificate is null ? null : new X509CertificateCollection { certificate });

    [Fact]
    public async Task Robot_certificate_is_admitted_and_named_upstream()
    {
        using var robot = CreateClient(_ca, "CN=robot-7, O=Example");

        await using var response = await ConnectAsync(robot);

        Assert.Equal(101, response.Status);
        var (request, frames) = await _upstream.AcceptAsync();
        await frames.DisposeAsync();
        Assert.Equal("CN=robot-7, O=Example", request["X-Auth-Subject"]);
        Assert.Equal("client_certificate", request["X-Auth-Method"]);
    }

    [Fact]
    public async Task Other_subject_from_the_same_ca_gets_403()
    {
        using var human = CreateClient(_ca, "CN=human-1");

        await using var response = await ConnectAsync(human);

        Assert.Equal(403, response.Status);
        Assert.Contains("client certificate subject not allowed", response.Body);
        Assert.Equal(0, _upstream.ConnectionCount);
    }

    [Fact]
    public async Task No_certificate_gets_401()
    {
        await using var response = await ConnectAsync(null);

        Assert.Equal(401, response.Status);
        Assert.Equal("ClientCertificate realm=\"robots\"", response.Head["WWW-Authenticate"]);
        Assert.Equal(0, _upstream.ConnectionCount);
    }

    [Fact]
    public async Task Certificate_from_another_ca_fails_the_tls_handshake()
    {
        using var otherCa = CreateCa("CN=Other CA");
        using var robot = CreateClient(otherCa, "CN=robot-1");

        await Assert.ThrowsAnyAsync<Exception>(() => ConnectAsync(robot));
        Assert.Equal(0, _upstream.ConnectionCount);
    }

    internal static X509Certificate2 CreateCa(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }

    internal static X509Certificate2 CreateClient(X509Certificate2 ca, string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var issued = request.Create(ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1), RandomNumberGenerator.GetBytes(8));
        using var withKey = issued.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }
}
