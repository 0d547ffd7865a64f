using Gateway.Policies.Auth;

namespace Gateway.Policies;

/// What the upgrade gate decided for one handshake. Admitted: Lease holds the session's connection permits until it
/// is disposed (when the session ends); Identity is who the client proved to be (null on a route without `auth`).
public sealed class GateResult(PolicyOutcome outcome, IDisposable? lease, Identity? identity) : IDisposable
{
    public PolicyOutcome Outcome { get; } = outcome;

    public Identity? Identity { get; } = identity;

    public void Dispose() => lease?.Dispose();
}
