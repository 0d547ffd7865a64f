namespace Gateway.Upstream;

/// A destination could not be reached (refused, unreachable, connect timeout, TLS failure): worth trying another.
public sealed class UpstreamConnectException(Uri destination, string reason, Exception? inner = null)
    : Exception($"cannot connect to {destination}: {reason}", inner)
{
    public Uri Destination { get; } = destination;
    public string Reason { get; } = reason;
}
