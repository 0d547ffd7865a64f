using System.Net;
using System.Security.Authentication;
using Gateway.Configuration;
using Gateway.Relay;

namespace Gateway.Tests.Configuration;

public sealed class ConfigLoaderTests
{
    private const string FullFile = """
        listen:
          - address: 0.0.0.0:8443
            tls:
              certificates:
                - cert: certs/example.crt
                  key: certs/example.key
                  hosts: [example.com, "*.Example.com"]
                - cert: /etc/ssl/other.pfx
                  password: secret
              min_version: tls1.3
          - address: "[::1]:8080"
          - address: localhost:8081
            redirect_to_https: false
        defaults:
          limits:
            max_frame_size: 64KiB
            idle_timeout: off
        routes:
          - name: chat
            match:
              host: chat.example.com
              path: /ws/{**rest}
            upstream: chat
            subprotocols: [chat.v2, chat.v1]
            limits: { max_message_size: 1MiB, ping_interval: 10s, messages_per_connection: { rate: 5, per: 2s } }
          - name: echo
            match: { path: /echo }
            upstream: echo
        upstreams:
          chat:
            destinations: [ws://10.0.0.5:9000, "wss://chat.internal/prefix"]
            load_balancing: round_robin
            connect_timeout: 500ms
            handshake_timeout: 2s
            retries: 0
          echo:
            destinations: [ws://127.0.0.1:9001]
          unused:
            destinations: [ws://127.0.0.1:9002]
        demo:
          echo_address: 127.0.0.1:9001
        """;

    [Fact]
    public void Full_file_becomes_the_expected_snapshot()
    {
        var config = ConfigTestText.Valid(FullFile);

        Assert.Equal("/etc/gateway/gw.yaml", config.SourcePath);
        Assert.Equal(3, config.Listeners.Count);
        var secure = config.Listeners[0];
        Assert.Equal(("0.0.0.0:8443", new IPEndPoint(IPAddress.Any, 8443)), (secure.Address, secure.EndPoint));
        Assert.Equal(SslProtocols.Tls13, secure.Tls!.MinVersion);
        var pem = secure.Tls.Certificates[0];
        Assert.Equal(("/etc/gateway/certs/example.crt", "/etc/gateway/certs/example.key", (string?)null), (pem.CertPath, pem.KeyPath, pem.Password));
        Assert.Equal(["example.com", "*.example.com"], pem.Hosts);
        var pfx = secure.Tls.Certificates[1];
        Assert.Equal(("/etc/ssl/other.pfx", (string?)null, "secret"), (pfx.CertPath, pfx.KeyPath, pfx.Password));
        Assert.Empty(pfx.Hosts);
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 8080), config.Listeners[1].EndPoint);
        Assert.Null(config.Listeners[1].Tls);
        Assert.Equal(("localhost:8081", new IPEndPoint(IPAddress.Loopback, 8081)), (config.Listeners[2].Address, config.Listeners[2].EndPoint));

        var defaults = LimitsConfig.Default.With(maxFrameSize: 64 * 1024, idleTimeout: TimeSpan.Zero, frameSizeIsExplicit: true);
        Assert.Equal(defaults, config.DefaultLimits);

        Assert.Equal(2, config.Routes.Count);
        var chat = config.Routes[0];
        Assert.Equal(("chat", "chat.example.com", "/ws/{**rest}", "chat"), (chat.Name, chat.Host, chat.Path, chat.Upstream));
        Assert.Equal(["chat.v2", "chat.v1"], chat.Subprotocols);
        Assert.Equal(defaults.With(
            maxMessageSize: 1024 * 1024,
            pingInterval: TimeSpan.FromSeconds(10),
            messagesPerConnection: new MessageRate(5, TimeSpan.FromSeconds(2), 5)), chat.Limits);
        var echo = config.Routes[1];
        Assert.Equal(("echo", (string?)null, "/echo", "echo"), (echo.Name, echo.Host, echo.Path, echo.Upstream));
        Assert.Empty(echo.Subprotocols);
        Assert.Equal(defaults, echo.Limits);

        Assert.Equal(["chat", "echo", "unused"], config.Upstreams.Keys.Order());
        var chatUpstream = config.Upstreams["chat"];
        Assert.Equal("chat", chatUpstream.Name);
        Assert.Equal([new Uri("ws://10.0.0.5:9000"), new Uri("wss://chat.internal/prefix")], chatUpstream.Destinations);
        Assert.Equal((LoadBalancing.RoundRobin, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(2), 0),
            (chatUpstream.LoadBalancing, chatUpstream.ConnectTimeout, chatUpstream.HandshakeTimeout, chatUpstream.Retries));
        var echoUpstream = config.Upstreams["echo"];
        Assert.Equal((LoadBalancing.PowerOfTwoChoices, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), 2),
            (echoUpstream.LoadBalancing, echoUpstream.ConnectTimeout, echoUpstream.HandshakeTimeout, echoUpstream.Retries));

        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 9001), config.Demo!.EchoEndPoint);
    }

    [Fact]
    public void Snapshot_lists_cannot_be_modified_through_a_cast()
    {
        var config = ConfigTestText.Valid(FullFile);

        Assert.False(config.Listeners is IList<ListenerConfig> { IsReadOnly: false });
        Assert.False(config.Routes is IList<RouteConfig> { IsReadOnly: false });
        Assert.False(config.Routes[0].Subprotocols is IList<string> { IsReadOnly: false });
        Assert.False(config.Upstreams["chat"].Destinations is IList<Uri> { IsReadOnly: false });
        Assert.False(config.Upstreams is IDictionary<string, UpstreamConfig> { IsReadOnly: false });
        Assert.False(config.Listeners[0].Tls!.Certificates is IList<CertificateConfig> { IsReadOnly: false });
    }

    [Fact]
    public void Minimal_file_gets_every_default()
    {
        var config = ConfigTestText.Valid(ConfigTestText.Listen + ConfigTestText.Routes + ConfigTestText.Upstreams);

        Assert.Equal(LimitsConfig.Default, config.DefaultLimits);
        Assert.Equal(LimitsConfig.Default, config.Routes[0].Limits);
        Assert.Null(config.Demo);
        Assert.Null(config.Listeners[0].Tls);
    }

    [Fact]
    public void Several_errors_in_one_file_are_all_reported_in_file_order()
    {
        var errors = ConfigTestText.Errors("""
            listen:
              - address: 127.0.0.1:0
            routes:
              - name: Chat
                match: { path: ws }
                upstream: chta
                limits: { max_mesage_size: 1MiB, idle_timeout: soon }
            upstreams:
              chat: { destinations: [http://127.0.0.1:9000], retries: -1 }
            admin: { address: 9090 }
            """);

        Assert.Equal([
            "gw.yaml:2:14: listen[0].address: port must be between 1 and 65535, got `0`",
            "gw.yaml:4:11: routes[0].name: must be lowercase letters, digits, `_` or `-`, got `Chat`",
            "gw.yaml:5:20: routes[0].match.path: must start with `/`, like /ws/{**rest}; got `ws`",
            "gw.yaml:6:15: routes[0].upstream: no upstream named `chta` under `upstreams`; did you mean `chat`?",
            "gw.yaml:7:15: routes[0].limits.max_mesage_size: unknown key `max_mesage_size`; did you mean `max_message_size`?",
            "gw.yaml:7:52: routes[0].limits.idle_timeout: expected a duration like 500ms, 30s, 5m or 1h, or 0/off to disable, got `soon`",
            "gw.yaml:9:26: upstreams.chat.destinations[0]: expected an absolute ws:// or wss:// URI such as ws://10.0.0.5:9000, got `http://127.0.0.1:9000`",
            "gw.yaml:9:59: upstreams.chat.retries: must be at least 0, got `-1`",
            "gw.yaml:10:19: admin.address: expected host:port such as 0.0.0.0:8443, [::]:8443, localhost:8080 or *:8443, got `9090`",
        ], errors);
    }

    [Fact]
    public void Result_has_a_config_only_without_errors()
    {
        var bad = ConfigTestText.Load("listen: []\n");

        Assert.Null(bad.Config);
        Assert.NotEmpty(bad.Errors);
    }

    [Fact]
    public void Empty_file_reports_each_missing_required_section()
    {
        Assert.Equal([
            "gw.yaml:1:1: listen: required key is missing",
            "gw.yaml:1:1: routes: required key is missing",
            "gw.yaml:1:1: upstreams: required key is missing",
        ], ConfigTestText.Errors("# nothing here yet\n"));
    }

    [Fact]
    public void Root_that_is_not_a_mapping_is_one_error()
    {
        Assert.Equal(["gw.yaml:1:1: (root): expected a mapping, got a list"], ConfigTestText.Errors("- listen\n"));
    }

    [Fact]
    public void Byte_order_mark_is_not_part_of_the_first_key()
    {
        ConfigTestText.Valid("\uFEFF" + ConfigTestText.Listen + ConfigTestText.Routes + ConfigTestText.Upstreams);
    }

    [Fact]
    public void Load_reads_a_file_and_resolves_paths_next_to_it()
    {
        var directory = Directory.CreateTempSubdirectory("gateway-config-");
        try
        {
            var path = Path.Combine(directory.FullName, "gateway.yaml");
            File.WriteAllText(path, """
                listen:
                  - address: 127.0.0.1:8443
                    tls: { certificates: [{ cert: certs/dev.crt, key: certs/dev.key }] }
                """ + "\n" + ConfigTestText.Routes + ConfigTestText.Upstreams);

            var result = ConfigLoader.Load(path);

            Assert.Empty(result.Errors);
            Assert.Equal(path, result.Config!.SourcePath);
            Assert.Equal(Path.Combine(directory.FullName, "certs", "dev.crt"), result.Config.Listeners[0].Tls!.Certificates[0].CertPath);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void Load_names_the_file_as_given_in_errors()
    {
        var directory = Directory.CreateTempSubdirectory("gateway-config-");
        try
        {
            File.WriteAllText(Path.Combine(directory.FullName, "bad.yaml"), "listen: 5\n" + ConfigTestText.Routes + ConfigTestText.Upstreams);
            var relative = Path.GetRelativePath(Environment.CurrentDirectory, Path.Combine(directory.FullName, "bad.yaml"));

            var result = ConfigLoader.Load(relative);

            Assert.Equal([$"{relative}:1:9: listen: expected a list, got `5`"], result.Errors.Select(e => e.ToString()));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void Missing_file_is_one_error_at_the_start()
    {
        var path = Path.Combine(Path.GetTempPath(), $"no-such-{Guid.NewGuid():N}", "gateway.yaml");

        var result = ConfigLoader.Load(path);

        Assert.Null(result.Config);
        Assert.Equal([$"{path}:1:1: (file): file not found"], result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Directory_instead_of_file_is_one_error()
    {
        var path = Path.GetTempPath();

        var result = ConfigLoader.Load(path);

        Assert.Equal([$"{path}:1:1: (file): is a directory; give the path of the YAML file"], result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Error_prints_as_file_line_column_path_message()
    {
        Assert.Equal("a.yaml:3:7: routes[1].name: bad", new ConfigError("a.yaml", 3, 7, "routes[1].name", "bad").ToString());
    }
}
