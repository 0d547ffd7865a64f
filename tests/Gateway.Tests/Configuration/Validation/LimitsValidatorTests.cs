using Gateway.Configuration;
using Gateway.Protocol.Frames;
using Gateway.Relay;
using static Gateway.Tests.Configuration.ConfigTestText;

namespace Gateway.Tests.Configuration.Validation;

public sealed class LimitsValidatorTests
{
    private const string Rest = Listen + Routes + Upstreams;
    private const string Head = "defaults:\n  limits:\n";

    [Theory]
    [InlineData("    max_frame_size: big\n", "gw.yaml:3:21: defaults.limits.max_frame_size: expected a size like 64KiB or a number of bytes, got `big`")]
    [InlineData("    max_frame_size: 64KB\n", "gw.yaml:3:21: defaults.limits.max_frame_size: expected a size like 64KiB or a number of bytes, got `64KB`")]
    [InlineData("    max_frame_size: 1.5MiB\n", "gw.yaml:3:21: defaults.limits.max_frame_size: expected a size like 64KiB or a number of bytes, got `1.5MiB`")]
    [InlineData("    max_frame_size: -1\n", "gw.yaml:3:21: defaults.limits.max_frame_size: expected a size like 64KiB or a number of bytes, got `-1`")]
    [InlineData("    max_message_size: 0\n", "gw.yaml:3:23: defaults.limits.max_message_size: must be greater than 0, got `0`")]
    [InlineData("    max_message_size: 0KiB\n", "gw.yaml:3:23: defaults.limits.max_message_size: must be greater than 0, got `0KiB`")]
    [InlineData("    max_message_size: 9999999999999GiB\n",
        "gw.yaml:3:23: defaults.limits.max_message_size: expected a size like 64KiB or a number of bytes, got `9999999999999GiB`")]
    [InlineData("    idle_timeout: 30\n",
        "gw.yaml:3:19: defaults.limits.idle_timeout: expected a duration like 500ms, 30s, 5m or 1h, or 0/off to disable, got `30`; add a unit, like 30s")]
    [InlineData("    ping_interval: never\n",
        "gw.yaml:3:20: defaults.limits.ping_interval: expected a duration like 500ms, 30s, 5m or 1h, or 0/off to disable, got `never`")]
    [InlineData("    close_timeout: 0\n", "gw.yaml:3:20: defaults.limits.close_timeout: must be greater than 0, got `0`")]
    [InlineData("    close_timeout: off\n", "gw.yaml:3:20: defaults.limits.close_timeout: expected a duration like 500ms, 30s, 5m or 1h, got `off`")]
    [InlineData("    close_timeout: 2000h\n", "gw.yaml:3:20: defaults.limits.close_timeout: must be at most 1193h, got `2000h`")]
    [InlineData("    close_timeout: 5 minutes\n", "gw.yaml:3:20: defaults.limits.close_timeout: expected a duration like 500ms, 30s, 5m or 1h, got `5 minutes`")]
    [InlineData("    max_connections: 0\n", "gw.yaml:3:22: defaults.limits.max_connections: must be greater than 0, got `0`")]
    [InlineData("    max_connections: 3000000000\n", "gw.yaml:3:22: defaults.limits.max_connections: must be at most 2147483647, got `3000000000`")]
    [InlineData("    max_connections_per_ip: many\n", "gw.yaml:3:29: defaults.limits.max_connections_per_ip: expected a whole number, got `many`")]
    [InlineData("    handshakes_per_ip: 20\n",
        "gw.yaml:3:24: defaults.limits.handshakes_per_ip: expected a mapping with `rate`, `per` and `burst`, got `20`")]
    [InlineData("    handshakes_per_ip: { per: 1s }\n", "gw.yaml:3:24: defaults.limits.handshakes_per_ip.rate: required key is missing")]
    [InlineData("    max_frame_size: 32MiB\n",
        "gw.yaml:3:21: defaults.limits.max_frame_size: must be at most max_message_size (16MiB): a frame is part of a message; got `32MiB`")]
    [InlineData("    handshakes_per_ip: { rate: 0 }\n", "gw.yaml:3:32: defaults.limits.handshakes_per_ip.rate: must be greater than 0, got `0`")]
    [InlineData("    messages_per_connection: { rate: 10, per: 0s }\n",
        "gw.yaml:3:47: defaults.limits.messages_per_connection.per: must be greater than 0, got `0s`")]
    [InlineData("    messages_per_connection: { rate: 10, burst: 5 }\n",
        "gw.yaml:3:49: defaults.limits.messages_per_connection.burst: must be at least `rate` (10), got `5`")]
    [InlineData("    messages_per_connection: { rate: 10, brust: 50 }\n",
        "gw.yaml:3:42: defaults.limits.messages_per_connection.brust: unknown key `brust`; did you mean `burst`?")]
    [InlineData("    max_mesage_size: 1MiB\n", "gw.yaml:3:5: defaults.limits.max_mesage_size: unknown key `max_mesage_size`; did you mean `max_message_size`?")]
    [InlineData("    Max_Frame_Size: 1MiB\n", "gw.yaml:3:5: defaults.limits.Max_Frame_Size: unknown key `Max_Frame_Size`; did you mean `max_frame_size`?")]
    [InlineData("    max_frame_size: [1]\n", "gw.yaml:3:21: defaults.limits.max_frame_size: expected a text value, got a list")]
    public void Invalid_limit_gives_one_exact_error(string limits, string expected)
    {
        Assert.Equal([expected], Errors(Head + limits + Rest));
    }

    [Theory]
    [InlineData("defaults: 5\n", "gw.yaml:1:11: defaults: expected a mapping with `limits`, got `5`")]
    [InlineData("defaults:\n  limit: {}\n", "gw.yaml:2:3: defaults.limit: unknown key `limit`; did you mean `limits`?")]
    [InlineData("defaults:\n  limits:\n", "gw.yaml:2:10: defaults.limits: expected a mapping, got an empty value")]
    public void Invalid_defaults_section_gives_one_exact_error(string defaults, string expected)
    {
        Assert.Equal([expected], Errors(defaults + Rest));
    }

    [Theory]
    [InlineData("1", 1)]
    [InlineData("65536", 65536)]
    [InlineData("'1024'", 1024)]
    [InlineData("10B", 10)]
    [InlineData("64KiB", 64 * 1024)]
    [InlineData("64 KiB", 64 * 1024)]
    [InlineData("1MiB", 1024 * 1024)]
    [InlineData("2GiB", 2L * 1024 * 1024 * 1024)]
    public void Sizes_are_bytes_or_binary_units(string text, long bytes)
    {
        Assert.Equal(bytes, Valid(Head + $"    max_message_size: {text}\n" + Rest).DefaultLimits.Relay.FrameLimits.MaxMessageSize);
    }

    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("30s", 30_000)]
    [InlineData("5m", 300_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1193h", 1193L * 3_600_000)]
    [InlineData("off", 0)]
    [InlineData("0", 0)]
    [InlineData("0s", 0)]
    public void Idle_timeout_takes_durations_or_off(string text, long milliseconds)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), Valid(Head + $"    idle_timeout: {text}\n" + Rest).DefaultLimits.Relay.IdleTimeout);
    }

    [Fact]
    public void Ping_interval_can_be_off()
    {
        Assert.Equal(TimeSpan.Zero, Valid(Head + "    ping_interval: off\n" + Rest).DefaultLimits.Relay.PingInterval);
    }

    [Fact]
    public void Rate_defaults_to_per_second_with_burst_equal_to_rate()
    {
        var limits = Valid(Head + "    handshakes_per_ip: { rate: 7 }\n" + Rest).DefaultLimits;

        Assert.Equal(new RateConfig(7, TimeSpan.FromSeconds(1), 7), limits.HandshakesPerIp);
    }

    [Fact]
    public void Every_key_is_read()
    {
        var limits = Valid(Head + """
                max_frame_size: 1KiB
                max_message_size: 2KiB
                idle_timeout: 1m
                ping_interval: 2s
                close_timeout: 3s
                max_connections: 4
                max_connections_per_ip: 5
                handshakes_per_ip: { rate: 6, per: 7s, burst: 8 }
                messages_per_connection: { rate: 9, per: 10ms, burst: 11 }
            """ + "\n" + Rest).DefaultLimits;

        var relay = new RelayLimits(new FrameLimits(1024, 2048), TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(2),
            TimeSpan.FromSeconds(3), new MessageRate(9, TimeSpan.FromMilliseconds(10), 11));
        Assert.Equal(new LimitsConfig(relay, 4, 5, new RateConfig(6, TimeSpan.FromSeconds(7), 8)) { FrameSizeIsExplicit = true }, limits);
    }

    [Fact]
    public void Route_limits_override_defaults_key_by_key()
    {
        var config = Valid(Listen + """
            defaults:
              limits: { max_frame_size: 1KiB, max_message_size: 8KiB, handshakes_per_ip: { rate: 1, burst: 2 } }
            routes:
              - name: a
                match: { path: /a }
                upstream: chat
                limits: { max_message_size: 4KiB, close_timeout: 1s, handshakes_per_ip: { rate: 3 } }
            """ + "\n" + Upstreams);

        Assert.Equal(LimitsConfig.Default.With(
            maxFrameSize: 1024,
            maxMessageSize: 4096,
            closeTimeout: TimeSpan.FromSeconds(1),
            handshakesPerIp: new RateConfig(3, TimeSpan.FromSeconds(1), 3),
            frameSizeIsExplicit: true), config.Routes[0].Limits);
    }

    [Fact]
    public void A_route_that_sets_only_the_message_limit_gets_it_as_its_frame_limit()
    {
        var config = WithChatRoute(defaults: "");

        Assert.Equal(new FrameLimits(64 * 1024, 64 * 1024), config.Routes[0].Limits.Relay.FrameLimits);
    }

    [Fact]
    public void An_inherited_frame_limit_over_a_route_message_limit_is_the_message_limit()
    {
        var config = WithChatRoute(defaults: "defaults:\n  limits: { max_frame_size: 1MiB }\n");

        Assert.Equal(64 * 1024, config.Routes[0].Limits.Relay.FrameLimits.MaxFrameSize);
        Assert.Equal(1 << 20, config.DefaultLimits.Relay.FrameLimits.MaxFrameSize);
    }

    /// `defaults` (YAML or "") and one route that sets only max_message_size: 64KiB.
    private static GatewayConfig WithChatRoute(string defaults) => Valid(Listen + defaults + """
        routes:
          - name: a
            match: { path: /a }
            upstream: chat
            limits: { max_message_size: 64KiB }
        """ + "\n" + Upstreams);

    [Fact]
    public void Messages_per_connection_rate_0_is_no_limit()
    {
        var limits = Valid(Head + "    messages_per_connection: { rate: 0 }\n" + Rest).DefaultLimits;

        Assert.Null(limits.Relay.ClientMessageRate);
    }

    [Fact]
    public void Defaults_match_the_contract_example()
    {
        // Contract section 2: 16MiB (= max_message_size), 16MiB, 5m, 30s, 5s, 10000, 100, {20,1s,40}, {1000,1s,2000}.
        var relay = new RelayLimits(new FrameLimits(16 << 20, 16 << 20), TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(30),
            TimeSpan.FromSeconds(5), new MessageRate(1000, TimeSpan.FromSeconds(1), 2000));
        Assert.Equal(new LimitsConfig(relay, 10000, 100, new RateConfig(20, TimeSpan.FromSeconds(1), 40)), LimitsConfig.Default);
    }
}
