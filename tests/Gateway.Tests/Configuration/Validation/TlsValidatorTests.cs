using System.Security.Authentication;
using static Gateway.Tests.Configuration.ConfigTestText;

namespace Gateway.Tests.Configuration.Validation;

public sealed class TlsValidatorTests
{
    private const string Rest = Routes + Upstreams;
    private const string Head = "listen:\n  - address: 127.0.0.1:443\n    tls:\n";

    [Theory]
    [InlineData("      min_version: tls1.2\n", "gw.yaml:4:7: listen[0].tls.certificates: required key is missing")]
    [InlineData("      certificates: []\n", "gw.yaml:4:21: listen[0].tls.certificates: must list at least one certificate")]
    [InlineData("      certificates:\n        - key: a.key\n", "gw.yaml:5:11: listen[0].tls.certificates[0].cert: required key is missing")]
    [InlineData("      certificates:\n        - cert: a.crt\n",
        "gw.yaml:5:11: listen[0].tls.certificates[0].key: required for a PEM certificate (or give a .pfx/.p12 file as `cert`)")]
    [InlineData("      certificates:\n        - cert: a.pfx\n          key: a.key\n",
        "gw.yaml:6:16: listen[0].tls.certificates[0].key: a .pfx/.p12 certificate carries its own key; remove `key`")]
    [InlineData("      certificates:\n        - { cert: a.pfx, hosts: [bad_host] }\n",
        "gw.yaml:5:34: listen[0].tls.certificates[0].hosts[0]: expected a host name like example.com or *.example.com, got `bad_host`")]
    [InlineData("      certificates:\n        - { cert: a.pfx, hosts: ['*'] }\n",
        "gw.yaml:5:34: listen[0].tls.certificates[0].hosts[0]: expected a host name like example.com or *.example.com, got `*`")]
    [InlineData("      certificates:\n        - { cert: a.pfx, hosts: ['*.*.example.com'] }\n",
        "gw.yaml:5:34: listen[0].tls.certificates[0].hosts[0]: expected a host name like example.com or *.example.com, got `*.*.example.com`")]
    [InlineData("      certificates:\n        - { cert: a.pfx, hosts: example.com }\n",
        "gw.yaml:5:33: listen[0].tls.certificates[0].hosts: expected a list, got `example.com`")]
    [InlineData("      certificates:\n        - { cert: a.pfx, hosts: [a.com] }\n        - { cert: b.pfx, hosts: [A.com] }\n",
        "gw.yaml:6:34: listen[0].tls.certificates[1].hosts[0]: `A.com` is already listed at listen[0].tls.certificates[0].hosts[0]; SNI picks one certificate per name, so list each name once")]
    [InlineData("      certificates: [{ cert: a.pfx }]\n      min_version: tls13\n",
        "gw.yaml:5:20: listen[0].tls.min_version: expected `tls1.2` or `tls1.3`, got `tls13`; did you mean `tls1.3`?")]
    [InlineData("      certificates: [{ cert: a.pfx }]\n      min_version: tls1.1\n",
        "gw.yaml:5:20: listen[0].tls.min_version: expected `tls1.2` or `tls1.3`, got `tls1.1`; did you mean `tls1.2`?")]
    [InlineData("      certificates: [{ cert: a.pfx }]\n      acme: { email: ops@example.com }\n",
        "gw.yaml:5:7: listen[0].tls.acme: `acme` is not supported by this version of the gateway yet")]
    [InlineData("      certificates: [{ cert: a.pfx, pasword: x }]\n",
        "gw.yaml:4:37: listen[0].tls.certificates[0].pasword: unknown key `pasword`; did you mean `password`?")]
    public void Invalid_tls_gives_one_exact_error(string tls, string expected)
    {
        Assert.Equal([expected], Errors(Head + tls + Rest));
    }

    [Fact]
    public void Tls_that_is_not_a_mapping_says_what_goes_there()
    {
        Assert.Equal(["gw.yaml:3:10: listen[0].tls: expected a mapping with `certificates`, `min_version` and `client_certificates`, got `on`"],
            Errors("listen:\n  - address: 127.0.0.1:443\n    tls: on\n" + Rest));
    }

    [Fact]
    public void Certificate_paths_resolve_against_the_config_directory_and_hosts_are_lower_cased()
    {
        var tls = Valid(Head + """
                  certificates:
                    - cert: certs/a.crt
                      key: ../keys/a.key
                      hosts: [WS.Example.com, "*.example.org"]
                    - cert: /abs/b.P12
                      password: ''
            """ + "\n" + Rest).Listeners[0].Tls!;

        Assert.Equal(SslProtocols.Tls12, tls.MinVersion);
        Assert.Equal(("/etc/gateway/certs/a.crt", "/etc/keys/a.key"), (tls.Certificates[0].CertPath, tls.Certificates[0].KeyPath));
        Assert.Equal(["ws.example.com", "*.example.org"], tls.Certificates[0].Hosts);
        Assert.Equal(("/abs/b.P12", (string?)null, ""), (tls.Certificates[1].CertPath, tls.Certificates[1].KeyPath, tls.Certificates[1].Password));
    }

    [Fact]
    public void Pem_certificate_may_have_a_password_for_an_encrypted_key()
    {
        var certificate = Valid(Head + "      certificates: [{ cert: a.pem, key: a.key, password: s3cret }]\n" + Rest)
            .Listeners[0].Tls!.Certificates[0];

        Assert.Equal("s3cret", certificate.Password);
    }
}
