namespace Gateway.Relay;

/// Which leg of a session: the client that connected to the gateway, or the upstream the gateway connected to.
public enum Side
{
    Client,
    Upstream,
}
