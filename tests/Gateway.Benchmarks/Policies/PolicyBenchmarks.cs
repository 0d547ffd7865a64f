using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using BenchmarkDotNet.Attributes;
using Gateway.Configuration;
using Gateway.Policies.Auth;
using Gateway.Policies.Limits;
using Gateway.Policies.Origin;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Primitives;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Benchmarks.Policies;

/// The cost each upgrade policy adds to one handshake, each measured alone on the gateway's own code paths:
/// `dotnet run -c Release --project tests/Gateway.Benchmarks -- --filter '*PolicyBenchmarks*'`.
[MemoryDiagnoser]
public class PolicyBenchmarks
{
    private static readonly IPAddress Client = IPAddress.Parse("192.0.2.10");
    private RouteLimiters _limiters = null!;
    private OriginPolicy _origins = null!;
    private JwtAuthenticator _hs256 = null!, _rs256 = null!, _es256 = null!;
    private string _hsToken = "", _rsToken = "", _esToken = "";
    private ApiKeyAuthenticator _apiKeys = null!;
    private ClientCertificateAuthenticator _certificates = null!;
    private X509Certificate2 _certificate = null!;
    private ExternalAuthenticator _external = null!;
    private WebApplication _authService = null!;
    private DefaultHttpContext _context = null!;

    [GlobalSetup]
    public void Setup()
    {
        var limits = LimitsConfig.Default with { HandshakesPerIp = new RateConfig(int.MaxValue, TimeSpan.FromSeconds(1), int.MaxValue) };
        _limiters = new RouteLimiters(limits);
        _origins = new OriginPolicy(new OriginsConfig(OriginMode.List,
            [OriginPattern.Parse("https://chat.example.com", true)!, OriginPattern.Parse("https://*.example.com", true)!], false, false));

        var services = new AuthServices(AuthServices.CreateHttpClient(), NullLogger.Instance);
        var secret = new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32));
        var rsa = new RsaSecurityKey(RSA.Create(2048));
        var ec = new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256));
        (_hs256, _hsToken) = Jwt(secret, "HS256", services);
        (_rs256, _rsToken) = Jwt(rsa, "RS256", services);
        (_es256, _esToken) = Jwt(ec, "ES256", services);

        var digests = Enumerable.Range(0, 100).Select(i => new ApiKeyDigest(SHA256.HashData(BitConverter.GetBytes(i)), $"key-{i}")).ToList();
        digests.Add(new ApiKeyDigest(SHA256.HashData("the-key"u8), "the-key"));
        _apiKeys = new ApiKeyAuthenticator("bench", new ApiKeysConfig("X-Api-Key", null, digests));

        _certificates = new ClientCertificateAuthenticator("bench", new ClientCertificateAuthConfig(["CN=admin", "CN=robot-*"]));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _certificate = new CertificateRequest("CN=robot-42, O=Example", key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _authService = builder.Build();
        _authService.MapGet("/check", () => Results.Ok());
        _authService.StartAsync().GetAwaiter().GetResult();
        var address = _authService.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _external = new ExternalAuthenticator("bench", new ExternalAuthConfig(new Uri(new Uri(address), "/check"),
            TimeSpan.FromSeconds(2), ["Authorization"]), services);
        _context = new DefaultHttpContext();
        _context.Request.Headers.Authorization = "Bearer x";
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _limiters.Dispose();
        _authService.StopAsync().GetAwaiter().GetResult();
    }

    private static (JwtAuthenticator, string) Jwt(SecurityKey key, string algorithm, AuthServices services)
    {
        var config = new JwtConfig([algorithm], [key], null, "https://id.test", "chat",
            new Dictionary<string, string> { ["scope"] = "chat" }, [new TokenSource(TokenLocation.Header, "Authorization")]);
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity([new Claim("sub", "alice"), new Claim("scope", "chat")]),
            Issuer = "https://id.test",
            Audience = "chat",
            Expires = DateTime.UtcNow.AddHours(1),
            SigningCredentials = new SigningCredentials(key, algorithm),
        });
        return (new JwtAuthenticator("bench", config, services), token);
    }

    [Benchmark(Description = "limits: rate + connection permits, released")]
    public void Limits()
    {
        var (_, lease) = _limiters.TryAdmit(Client);
        lease!.Dispose();
    }

    [Benchmark(Description = "origin: list with wildcard")]
    public bool Origin() => _origins.Check(new StringValues("https://a.example.com"), "gw.example.com", true) is null;

    [Benchmark(Description = "jwt: HS256")]
    public async Task<bool> JwtHs256() => (await _hs256.ValidateAsync(_hsToken, default)).IsAdmitted;

    [Benchmark(Description = "jwt: RS256 (2048)")]
    public async Task<bool> JwtRs256() => (await _rs256.ValidateAsync(_rsToken, default)).IsAdmitted;

    [Benchmark(Description = "jwt: ES256")]
    public async Task<bool> JwtEs256() => (await _es256.ValidateAsync(_esToken, default)).IsAdmitted;

    [Benchmark(Description = "api key: SHA-256, 101 digests")]
    public bool ApiKey() => _apiKeys.Check("the-key").IsAdmitted;

    [Benchmark(Description = "client certificate: subject patterns")]
    public bool ClientCertificate() => _certificates.Check(_certificate).IsAdmitted;

    [Benchmark(Description = "external: loopback HTTP round trip")]
    public async Task<bool> External() => (await _external.AuthenticateAsync(_context, default)).IsAdmitted;
}
