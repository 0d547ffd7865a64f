using Gateway.Configuration.Yaml;
using Gateway.Protocol.Frames;
using Gateway.Relay;

namespace Gateway.Configuration.Validation;

/// <summary>
/// `defaults.limits` and `routes[].limits`. Each key present replaces the inherited value; absent keys inherit.
/// A rate (`handshakes_per_ip`, `messages_per_connection`) is one value: given, it replaces the inherited rate whole.
/// </summary>
internal static class LimitsValidator
{
    /// <summary>A rate's window when `per` is left out: rates are usually thought of per second.</summary>
    private static readonly TimeSpan DefaultRatePer = TimeSpan.FromSeconds(1);

    public static LimitsConfig Read(ConfigField limits, LimitsConfig inherited, ConfigErrorCollector errors)
    {
        if (MappingReader.Open(limits, ConfigSections.Limits, errors) is not { } map)
            return inherited;
        var frame = Size(map, "max_frame_size", errors);
        var message = Size(map, "max_message_size", errors);
        var inheritedRelay = inherited.Relay;
        long maxMessage = message ?? inheritedRelay.FrameLimits.MaxMessageSize;
        // Without a frame limit written here or in `defaults`, the message limit is the frame limit too (contract
        // section 2): a route that sets only max_message_size gets it for both.
        bool explicitFrame = frame is not null || inherited.FrameSizeIsExplicit;
        long maxFrame = frame ?? (explicitFrame ? inheritedRelay.FrameLimits.MaxFrameSize : maxMessage);
        if (frame > maxMessage)
        {
            errors.Add(map.Optional("max_frame_size")!.Value, $"must be at most max_message_size " +
                $"({SizeParser.Format(maxMessage)}): a frame is part of a message; got `{SizeParser.Format(frame.Value)}`");
        }
        else if (maxFrame > maxMessage)
        {
            maxFrame = maxMessage; // an inherited frame limit above this route's message limit: the message limit binds
        }

        // Read in the order of the keys in the contract, so the errors are listed in that order.
        var idle = Duration(map, "idle_timeout", canBeOff: true, errors) ?? inheritedRelay.IdleTimeout;
        var ping = Duration(map, "ping_interval", canBeOff: true, errors) ?? inheritedRelay.PingInterval;
        var close = Duration(map, "close_timeout", canBeOff: false, errors) ?? inheritedRelay.CloseTimeout;
        var connections = Count(map, "max_connections", errors) ?? inherited.MaxConnections;
        var connectionsPerIp = Count(map, "max_connections_per_ip", errors) ?? inherited.MaxConnectionsPerIp;
        var handshakes = Rate(map, "handshakes_per_ip", minRate: 1, errors) is { } h
            ? new RateConfig(h.Rate, h.Per, h.Burst)
            : inherited.HandshakesPerIp;
        var messages = Rate(map, "messages_per_connection", minRate: 0, errors) is { } m
            ? (m.Rate == 0 ? null : new MessageRate(m.Rate, m.Per, m.Burst)) // rate 0: no limit
            : inheritedRelay.ClientMessageRate;

        var relay = new RelayLimits(new FrameLimits(maxFrame, maxMessage), idle, ping, close, messages);
        return new LimitsConfig(relay, connections, connectionsPerIp, handshakes) { FrameSizeIsExplicit = explicitFrame };
    }

    private static long? Size(MappingReader map, string key, ConfigErrorCollector errors)
    {
        if (map.Optional(key) is not { } field || ScalarReader.Text(field, errors) is not { } text)
            return null;
        var size = SizeParser.Parse(text);
        if (size is null)
            errors.Add(field, $"{SizeParser.Usage}, got `{text}`");
        else if (size <= 0)
            errors.Add(field, $"must be greater than 0, got `{text}`");
        return size > 0 ? size : null;
    }

    private static TimeSpan? Duration(MappingReader map, string key, bool canBeOff, ConfigErrorCollector errors) =>
        map.Optional(key) is { } field ? ReadDuration(field, canBeOff, errors) : null;

    /// <summary>
    /// A positive duration; with <paramref name="canBeOff"/>, `off` or zero give <see cref="TimeSpan.Zero"/>, which
    /// the runtime reads as "disabled" (nginx's convention for its timeouts too).
    /// </summary>
    public static TimeSpan? ReadDuration(ConfigField field, bool canBeOff, ConfigErrorCollector errors)
    {
        if (ScalarReader.Text(field, errors) is not { } text)
            return null;
        if (canBeOff && text.Trim() == "off")
            return TimeSpan.Zero;
        var usage = canBeOff ? $"{DurationParser.Usage}, or 0/off to disable" : DurationParser.Usage;
        var duration = DurationParser.Parse(text);
        if (duration is null)
            errors.Add(field, $"{usage}, got `{text}`{(long.TryParse(text, out _) ? $"; add a unit, like {text.Trim()}s" : "")}");
        else if (duration == TimeSpan.Zero && canBeOff)
            return TimeSpan.Zero;
        else if (duration == TimeSpan.Zero)
            errors.Add(field, $"must be greater than 0, got `{text}`");
        else if (duration > DurationParser.Longest)
            errors.Add(field, $"must be at most {DurationParser.Longest.TotalHours:0}h, got `{text}`");
        else
            return duration;
        return null;
    }

    private static int? Count(MappingReader map, string key, ConfigErrorCollector errors) =>
        map.Optional(key) is { } field ? ScalarReader.Integer(field, 1, int.MaxValue, errors) : null;

    /// <summary>A token bucket: `rate` per `per`, holding up to `burst` (default: `rate`, no burst beyond one window);
    /// `rate: 0` (where <paramref name="minRate"/> allows it) is no limit. Null when absent or invalid.</summary>
    private static (int Rate, TimeSpan Per, int Burst)? Rate(MappingReader limits, string key, int minRate, ConfigErrorCollector errors)
    {
        if (limits.Optional(key) is not { } field || MappingReader.Open(field, ConfigSections.Rate, errors) is not { } map)
            return null;
        var rate = map.Required("rate") is { } r ? ScalarReader.Integer(r, minRate, int.MaxValue, errors) : null;
        var per = map.Optional("per") is { } p ? ReadDuration(p, canBeOff: false, errors) : DefaultRatePer;
        var burstField = map.Optional("burst");
        var burst = burstField is { } b ? ScalarReader.Integer(b, Math.Max(minRate, 1), int.MaxValue, errors) : rate;
        if (rate is null || per is null || burst is null)
            return null;
        if (rate == 0)
            return (0, per.Value, 0); // no limit: a burst means nothing
        if (burst < rate)
        {
            errors.Add(burstField!.Value, $"must be at least `rate` ({rate}), got `{burst}`");
            return null;
        }
        return (rate.Value, per.Value, burst.Value);
    }
}
