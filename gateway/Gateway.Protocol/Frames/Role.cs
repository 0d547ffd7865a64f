namespace Gateway.Protocol.Frames;

/// <summary>
/// The role of THIS endpoint on a leg (RFC 6455 5.1). Server: incoming frames must be masked, outgoing frames are
/// not. Client: incoming frames must not be masked, outgoing frames are. The gateway is the server on the client
/// leg and the client on the upstream leg.
/// </summary>
public enum Role
{
    Server,
    Client,
}
