using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;

namespace Gateway.Benchmarks;

/// <summary>Adds the GB/s column and the allocation counts to whatever job the command line picks.</summary>
public sealed class ThroughputConfig : ManualConfig
{
    public ThroughputConfig()
    {
        AddColumn(new ThroughputColumn());
        AddDiagnoser(MemoryDiagnoser.Default);
    }
}
