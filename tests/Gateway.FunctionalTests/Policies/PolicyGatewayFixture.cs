using System.Security.Cryptography;
using Gateway.FunctionalTests.Infrastructure;
using Gateway.Testing.Peers;

namespace Gateway.FunctionalTests.Policies;

/// One gateway with a route per policy, one upstream that accepts everything, and the auth services, shared by the
/// policy tests so the whole set starts once.
public sealed class PolicyGatewayFixture : IAsyncLifetime
{
    public const string ApiKey = "robot-key-1";

    private readonly string _directory = Directory.CreateTempSubdirectory("policy-test-").FullName;

    public GatewayUnderTest Gateway { get; private set; } = null!;
    public ScriptedUpstream Upstream { get; private set; } = null!;
    public TestAuthServer Auth { get; private set; } = null!;
    public RSA RsaKey { get; } = RSA.Create(2048);
    public string RsaPublicPem => RsaKey.ExportSubjectPublicKeyInfoPem();
    public RSA JwksKey1 { get; } = RSA.Create(2048);
    public RSA JwksKey2 { get; } = RSA.Create(2048);

    public async Task InitializeAsync()
    {
        Auth = await TestAuthServer.StartAsync();
        Auth.Jwks = Tokens.JwksOf((JwksKey1, "k1"));
        Upstream = ScriptedUpstream.Accepting();
        string pem = Path.Combine(_directory, "rsa.pem");
        await File.WriteAllTextAsync(pem, RsaPublicPem);
        string keys = Path.Combine(_directory, "api-keys.txt");
        await File.WriteAllTextAsync(keys, $"# test keys\n{Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(ApiKey)))} robot-1\n");
        string auth = Auth.Url.ToString().TrimEnd('/');
        string closed = $"http://127.0.0.1:{FreePort.Next()}/check";
        Gateway = await GatewayUnderTest.StartAsync($$"""
            defaults:
              limits: { close_timeout: 300ms }
            routes:
              - { name: open, upstream: up, match: { path: '/open/{**rest}' } }
              - name: origin-list
                upstream: up
                match: { path: '/origin-list/{**rest}' }
                origins: ['http://allowed.test', 'https://*.example.com', 'http://localhost:3000']
              - name: origin-same
                upstream: up
                match: { path: '/origin-same/{**rest}' }
                origins: same-origin
                allow_missing_origin: true
              - name: jwt
                upstream: up
                match: { path: '/jwt/{**rest}' }
                auth:
                  jwt:
                    secret: '{{Tokens.Secret}}'
                    issuer: {{Tokens.Issuer}}
                    audience: {{Tokens.Audience}}
                    required_claims: { scope: chat }
                    token_from: [header, 'query:access_token', 'cookie:session']
                forward: { identity_headers: true }
              - name: jwt-rs
                upstream: up
                match: { path: '/jwt-rs/{**rest}' }
                auth: { jwt: { public_key: '{{pem}}', algorithms: [RS256], issuer: {{Tokens.Issuer}} } }
              - name: jwks
                upstream: up
                match: { path: '/jwks/{**rest}' }
                auth: { jwt: { jwks_url: '{{auth}}/jwks', algorithms: [RS256] } }
              - name: apikey
                upstream: up
                match: { path: '/apikey/{**rest}' }
                auth: { api_keys: { header: X-Api-Key, keys_file: '{{keys}}' } }
                forward: { identity_headers: true }
              - name: external
                upstream: up
                match: { path: '/external/{**rest}' }
                auth: { external: { url: '{{auth}}/check', timeout: 2s } }
                forward: { identity_headers: true }
              - name: external-down
                upstream: up
                match: { path: '/external-down/{**rest}' }
                auth: { external: { url: '{{closed}}', timeout: 1s } }
              - name: external-slow
                upstream: up
                match: { path: '/external-slow/{**rest}' }
                auth: { external: { url: '{{auth}}/slow', timeout: 300ms } }
              - name: rate
                upstream: up
                match: { path: '/rate/{**rest}' }
                limits: { handshakes_per_ip: { rate: 1, per: 1h, burst: 2 } }
              - name: connections
                upstream: up
                match: { path: '/connections/{**rest}' }
                limits: { max_connections: 1 }
              - name: per-ip
                upstream: up
                match: { path: '/per-ip/{**rest}' }
                limits: { max_connections_per_ip: 1 }
            upstreams:
              up: { destinations: ['{{Upstream.Address}}'] }
            """);
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Upstream.DisposeAsync();
        await Auth.DisposeAsync();
        RsaKey.Dispose();
        JwksKey1.Dispose();
        JwksKey2.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// An upgrade to `path` with the given extra headers; asserts nothing.
    public Task<RawClient.Response> ConnectAsync(string path, params (string Name, string Value)[] headers) =>
        RawClient.ConnectAsync(Gateway.Ws, path, headers.ToDictionary(h => h.Name, h => (string?)h.Value));
}
