using Gateway.Policies.Auth;

namespace Gateway.Policies;

/// What the upgrade gate decided for one handshake. Admitted: Lease holds the session's connection permits until it
/// is disposed (when the session ends); Identity is who the client proved to be (null on a route without `auth`).
/// Disposing twice releases the permits once (the upgrade path and the session's run may both dispose it).
public sealed class GateResult(PolicyOutcome outcome, IDisposable? lease, Identity? identity) : IDisposable
{
    private IDisposable? _lease = lease;

    public PolicyOutcome Outcome { get; } = outcome;

    public Identity? Identity { get; } = identity;

    public void Dispose() => Interlocked.Exchange(ref _lease, null)?.Dispose();
}
