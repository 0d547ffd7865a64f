using System.Net;
using Gateway.Configuration;
using Gateway.Diagnostics;
using Gateway.Relay;

namespace Gateway.Tests.Configuration;

/// <summary>The commented examples in config/examples/ must stay valid as the schema changes.</summary>
public sealed class ExampleFilesTests
{
    private static string ExamplePath(string name)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Gateway.sln")))
            directory = directory.Parent;
        Assert.NotNull(directory);
        return Path.Combine(directory.FullName, "config", "examples", name);
    }

    private static GatewayConfig LoadExample(string name)
    {
        var result = ConfigLoader.Load(ExamplePath(name));
        Assert.True(result.Errors.Count == 0, string.Join("\n", result.Errors));
        return result.Config!;
    }

    [Fact]
    public void Every_example_file_is_tested()
    {
        var tested = new[] { "minimal.yaml", "tls-sni.yaml", "routes-and-limits.yaml", "service.yaml", "policies.yaml" };

        Assert.Equal(tested.Order(), Directory.GetFiles(Path.GetDirectoryName(ExamplePath("x"))!, "*.yaml").Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Minimal_example_routes_to_the_demo_echo_server()
    {
        var config = LoadExample("minimal.yaml");

        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 9001), config.Demo!.EchoEndPoint);
        Assert.Equal(new Uri("ws://127.0.0.1:9001"), config.Upstreams[config.Routes[0].Upstream].Destinations[0]);
        Assert.Null(config.Listeners[0].Tls);
    }

    [Fact]
    public void Tls_example_has_two_certificates_chosen_by_host()
    {
        var config = LoadExample("tls-sni.yaml");

        var certificates = config.Listeners[0].Tls!.Certificates;
        Assert.Equal(2, certificates.Count);
        Assert.Equal(["chat.example.com", "*.chat.example.com"], certificates[0].Hosts);
        Assert.Empty(certificates[1].Hosts);
        Assert.True(Path.IsPathFullyQualified(certificates[0].CertPath));
        Assert.EndsWith(Path.Combine("certs", "chat.example.com.key"), certificates[0].KeyPath);
        Assert.Equal(["chat.example.com", "api.example.org"], config.Routes.Select(r => r.Host));
    }

    [Fact]
    public void Limits_example_overrides_per_route()
    {
        var config = LoadExample("routes-and-limits.yaml");

        Assert.Equal(LimitsConfig.Default, config.DefaultLimits);
        var byName = config.Routes.ToDictionary(r => r.Name);
        Assert.Equal(LimitsConfig.Default.With(maxFrameSize: 64 * 1024, maxMessageSize: 64 * 1024), byName["chat"].Limits);
        Assert.Equal(TimeSpan.FromHours(1), byName["telemetry"].Limits.Relay.IdleTimeout);
        Assert.Equal(new MessageRate(10, TimeSpan.FromSeconds(1), 50), byName["telemetry"].Limits.Relay.ClientMessageRate);
        var files = byName["files"].Limits;
        Assert.Equal((4L << 20, 256L << 20, 200), (files.Relay.FrameLimits.MaxFrameSize, files.Relay.FrameLimits.MaxMessageSize, files.MaxConnections));
    }

    [Fact]
    public void Service_example_has_the_admin_listener_on_loopback_json_logs_and_the_default_grace()
    {
        var config = LoadExample("service.yaml");

        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 9090), config.Operations.Admin!.EndPoint);
        Assert.Equal(LogFormat.Json, config.Operations.LogFormat);
        Assert.Equal(OperationsConfig.DefaultShutdownGrace, config.Operations.ShutdownGrace);
        Assert.Equal("/var/lib/gateway/certs/ws.example.com.crt", config.Listeners[0].Tls!.Certificates[0].CertPath);
    }

    [Fact]
    public void Policies_example_loads_its_keys_and_certificates()
    {
        var config = LoadExample("policies.yaml");

        Assert.Equal(ClientCertificateRequirement.Allow, config.Listeners[0].Tls!.ClientCertificates!.Mode);
        Assert.Equal("CN=Example Clients CA", Assert.Single(config.Listeners[0].Tls!.ClientCertificates!.Ca).Subject);
        var byName = config.Routes.ToDictionary(r => r.Name);
        Assert.Equal("example-2025", Assert.Single(byName["chat"].Auth!.Jwt!.Keys).KeyId);
        Assert.Equal(2, byName["chat"].Origins!.Patterns.Count);
        Assert.Equal("robot-1", Assert.Single(byName["robots"].Auth!.ApiKeys!.Keys).Name);
        Assert.Equal(["CN=robot-*"], byName["robots"].Auth!.ClientCertificate!.Subjects);
        Assert.Equal(OriginMode.SameOrigin, byName["legacy"].Origins!.Mode);
        Assert.Equal(TimeSpan.FromSeconds(2), byName["legacy"].Auth!.External!.Timeout);
    }
}
