namespace Gateway.Transport;

/// A connection that can tell its owner, unasked, that the peer is gone (a reset, or an error on the socket), while
/// nothing reads or writes it: a relay pump held by a full socket toward the other peer would otherwise not read
/// this one, and a reset client would stay in its session until the upstream went away. A FIN alone is
/// not a loss: the bytes before it are still to be read.
public interface IPeerLossNotice
{
    /// `callback(state)` runs once, on the thread pool, when the peer is lost (at once if it already was).
    void OnPeerLost(Action<object> callback, object state);
}
