using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Configuration;
using static Gateway.Tests.Configuration.ConfigTestText;

namespace Gateway.Tests.Configuration.Validation;

public sealed class ClientCertificatesValidatorTests : IDisposable
{
    private const string Head = "listen:\n  - address: 127.0.0.1:443\n    tls:\n      certificates: [{ cert: a.pfx }]\n";
    private readonly string _directory = Directory.CreateTempSubdirectory("mtls-config-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string[] ErrorsIn(string yaml) => [.. ConfigLoader.LoadFromText(yaml, FileName, _directory).Errors.Select(e => e.ToString())];

    [Theory]
    [InlineData("      client_certificates: { mode: always, ca: ca.crt }\n",
        "gw.yaml:5:36: listen[0].tls.client_certificates.mode: expected `none`, `allow` or `require`, got `always`")]
    [InlineData("      client_certificates: { mode: require }\n", "gw.yaml:5:28: listen[0].tls.client_certificates.ca: required: the PEM file of the CA(s) that issue client certificates")]
    [InlineData("      client_certificates: { ca: ca.crt }\n", "gw.yaml:5:28: listen[0].tls.client_certificates.mode: required key is missing")]
    [InlineData("      client_certificates: { mode: allow, ca: nowhere.crt }\n", "gw.yaml:5:47: listen[0].tls.client_certificates.ca: cannot read CA certificates from `nowhere.crt`: *")]
    public void Invalid_client_certificates_give_one_exact_error(string yaml, string expected)
    {
        File.WriteAllText(Path.Combine(_directory, "ca.crt"), CaPem());

        var error = Assert.Single(ErrorsIn(Head + yaml + Routes + Upstreams));

        Assert.True(ErrorText.Matches(expected, error), $"expected {expected}\n     got {error}");
    }

    [Fact]
    public void Mode_and_ca_are_read()
    {
        File.WriteAllText(Path.Combine(_directory, "ca.crt"), CaPem());

        var result = ConfigLoader.LoadFromText(Head + "      client_certificates: { mode: allow, ca: ca.crt }\n" + Routes + Upstreams, FileName, _directory);

        var mtls = result.Config!.Listeners[0].Tls!.ClientCertificates!;
        Assert.Equal(ClientCertificateRequirement.Allow, mtls.Mode);
        Assert.Equal("CN=Test CA", Assert.Single(mtls.Ca).Subject);
    }

    private static string CaPem()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Test CA", key, HashAlgorithmName.SHA256);
        using var ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return ca.ExportCertificatePem();
    }
}
