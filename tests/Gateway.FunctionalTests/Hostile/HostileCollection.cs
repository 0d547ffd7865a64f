namespace Gateway.FunctionalTests.Hostile;

/// The adversarial tests measure the gateway's CPU and latency, so they run one at a time, after the other test
/// classes (which run in parallel and would load the machine).
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HostileCollection
{
    public const string Name = "Hostile";
}
