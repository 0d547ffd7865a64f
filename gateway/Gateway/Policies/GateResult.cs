using Gateway.Policies.Auth;
using Gateway.Protocol.Handshake;

namespace Gateway.Policies;

/// What the upgrade gate decided for one handshake: refused (Refusal says how), or admitted (Refusal null). Admitted:
/// Lease holds the session's connection permits until it is disposed (when the session ends); Identity is who the
/// client proved to be (null on a route without `auth`). Disposing twice releases the permits once (the upgrade path
/// and the session's run may both dispose it).
public sealed class GateResult : IDisposable
{
    private IDisposable? _lease;

    private GateResult(Refusal? refusal, IDisposable? lease, Identity? identity)
    {
        Refusal = refusal;
        _lease = lease;
        Identity = identity;
    }

    public Refusal? Refusal { get; }

    public Identity? Identity { get; }

    public static GateResult Refused(Refusal refusal) => new(refusal, null, null);

    public static GateResult Admitted(IDisposable lease, Identity? identity) => new(null, lease, identity);

    public void Dispose() => Interlocked.Exchange(ref _lease, null)?.Dispose();
}
