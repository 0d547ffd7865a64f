using System.Net;
using Gateway.Configuration.Yaml;

namespace Gateway.Configuration.Validation;

/// <summary>`listen`: the addresses the gateway accepts clients on, each plain or with TLS.</summary>
internal static class ListenValidator
{
    public static IReadOnlyList<ListenerConfig> Read(ConfigField listen, string baseDirectory, ConfigErrorCollector errors)
    {
        var listeners = new List<(ListenerConfig Listener, ConfigField Address)>();
        foreach (var item in ScalarReader.NonEmptyList(listen, "listener", errors) ?? [])
        {
            if (ReadListener(item, baseDirectory, errors) is not { } read)
                continue;
            var clash = listeners.FirstOrDefault(l => EndPointParser.Overlap(l.Listener.EndPoint, read.Listener.EndPoint));
            if (clash.Listener is not null)
                errors.Add(read.Address, $"`{read.Listener.Address}` takes the same port as {clash.Address.Path} " +
                    $"(`{clash.Listener.Address}`); give each listener its own address and port");
            listeners.Add(read);
        }
        return [.. listeners.Select(l => l.Listener)];
    }

    private static (ListenerConfig Listener, ConfigField Address)? ReadListener(ConfigField item, string baseDirectory, ConfigErrorCollector errors)
    {
        if (MappingReader.Open(item, ConfigSections.Listener, errors) is not { } map)
            return null;

        var addressField = map.Required("address");
        string? address = null;
        IPEndPoint? endPoint = null;
        if (addressField is { } field && ScalarReader.NonEmptyText(field, errors) is { } text)
        {
            address = text;
            endPoint = EndPointParser.Parse(text, out var error);
            if (endPoint is null)
                errors.Add(field, error!);
        }

        var tls = map.Optional("tls") is { } t ? TlsValidator.Read(t, baseDirectory, errors) : null;

        // Parsed so that the key is known, refused until the plain-HTTP listener that answers redirects exists.
        if (map.Optional("redirect_to_https") is { } redirect && ScalarReader.Boolean(redirect, errors) == true)
            errors.Add(redirect, "`redirect_to_https: true` is not supported by this version of the gateway yet");

        var handshakeTimeout = ListenerConfig.DefaultHandshakeTimeout;
        if (map.Optional("handshake_timeout") is { } timeoutField &&
            LimitsValidator.ReadDuration(timeoutField, canBeOff: false, errors) is { } timeout)
        {
            if (timeout > ListenerConfig.LongestHandshakeTimeout)
                errors.Add(timeoutField, $"must be at most {ListenerConfig.LongestHandshakeTimeout.TotalMinutes:0}m: a client " +
                    $"that has not sent its request head by then is not coming; got {timeout.TotalSeconds:0.###}s");
            else
                handshakeTimeout = timeout;
        }

        return endPoint is null ? null : (new ListenerConfig(address!, endPoint, tls, handshakeTimeout), addressField!.Value);
    }
}
