using BenchmarkDotNet.Running;

// Every benchmark class of this assembly (the gateway's own Program type is visible here too, hence no typeof(Program)).
BenchmarkSwitcher.FromAssembly(typeof(Gateway.Benchmarks.Policies.PolicyBenchmarks).Assembly).Run(args);
