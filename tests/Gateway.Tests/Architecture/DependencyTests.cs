using Gateway.Testing.Peers;
using Xunit;

namespace Gateway.Tests.Architecture;

/// References go one way, down the session's path: Protocol <- Relay <- Upstream/Upgrade <- Hosting, with Transport
/// at the bottom (it knows no TLS, no hosting, no relay) and Diagnostics a leaf that anything may call and that
/// calls nothing back. A folder that imports one not listed for it here fails the build's tests; an edge is added
/// here on purpose, with the reason, or not at all (docs/architecture.md, "Layers").
public sealed class DependencyTests
{
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Diagnostics"] = [],
        ["Transport"] = ["Diagnostics"],
        ["Relay"] = ["Protocol", "Transport", "Diagnostics"],
        // The configuration snapshot holds the relay's limits record (one record from YAML to the decoder).
        ["Configuration"] = ["Protocol", "Relay", "Diagnostics"],
        ["Routing"] = ["Configuration"],
        ["Policies"] = ["Configuration", "Protocol", "Diagnostics"],
        ["Tls"] = ["Configuration", "Transport", "Diagnostics"],
        ["Upstream"] = ["Configuration", "Protocol", "Relay", "Transport", "Diagnostics"],
        // Sessions are registered for drains, reloads and the admin API, which close them through the relay.
        ["Operations"] = ["Configuration", "Protocol", "Relay", "Routing", "Diagnostics"],
        ["Upgrade"] = ["Configuration", "Operations", "Policies", "Protocol", "Relay", "Routing", "Transport", "Upstream", "Diagnostics"],
        ["Cli"] = ["Configuration", "Diagnostics"],
        ["Demo"] = ["Diagnostics"],
        // Composition: the host builds everything; Program.cs (the root) starts it.
        ["Hosting"] = ["Cli", "Configuration", "Demo", "Operations", "Policies", "Protocol", "Relay", "Routing", "Tls", "Transport", "Upgrade", "Upstream", "Diagnostics"],
        ["(root)"] = ["Cli", "Configuration", "Hosting", "Operations", "Tls", "Transport", "Diagnostics"],
    };

    [Fact]
    public void Every_folder_of_the_gateway_imports_only_the_folders_below_it()
    {
        var graph = SourceImports.Of(Path.Combine(RepositoryPaths.Root, "gateway", "Gateway"));

        var wrong = new List<string>();
        foreach (var (folder, targets) in graph)
        {
            if (!Allowed.TryGetValue(folder, out var allowed))
            {
                wrong.Add($"{folder}: a folder the allowed graph does not know; add it to DependencyTests with its layer");
                continue;
            }

            foreach (var target in targets.Where(t => !allowed.Contains(t)))
            {
                wrong.Add($"{folder} -> {target}");
            }
        }

        Assert.True(wrong.Count == 0, "imports against the layering:\n" + string.Join("\n", wrong));
    }

    [Fact]
    public void The_allowed_graph_has_no_cycle()
    {
        var state = new Dictionary<string, int>(); // 1: on the path, 2: done
        foreach (var folder in Allowed.Keys)
        {
            Visit(folder, []);
        }

        void Visit(string folder, List<string> path)
        {
            if (state.GetValueOrDefault(folder) == 2 || !Allowed.ContainsKey(folder))
            {
                return;
            }

            Assert.False(state.GetValueOrDefault(folder) == 1, "cycle: " + string.Join(" -> ", path.Append(folder)));
            state[folder] = 1;
            foreach (var target in Allowed[folder])
            {
                Visit(target, [.. path, folder]);
            }

            state[folder] = 2;
        }
    }

    [Fact]
    public void The_protocol_core_references_only_the_base_class_library()
    {
        var project = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "gateway", "Gateway.Protocol", "Gateway.Protocol.csproj"));
        Assert.DoesNotContain("<PackageReference", project);
        Assert.DoesNotContain("<ProjectReference", project);
        Assert.DoesNotContain("<FrameworkReference", project);
    }

    [Theory]
    [InlineData("using Gateway.Hosting;\nclass A { }", "Hosting")]
    [InlineData("using static Gateway.Tls.OpenSsl.LibSsl;", "Tls")]
    [InlineData("using Pool = Gateway.Transport.LargeBlockMemoryPool;", "Transport")]
    [InlineData("class A { int B => Gateway.Relay.Leg.X; }", "Relay")]
    [InlineData("class A { global::Gateway.Upgrade.X x; }", "Upgrade")]
    public void The_scan_finds_an_import_in_each_form(string source, string folder) =>
        Assert.Equal([folder], SourceImports.ReferencedFolders(source));

    [Theory]
    [InlineData("// see Gateway.Hosting.ListenerSet\nclass A { }")]
    [InlineData("/* Gateway.Hosting */ class A { }")]
    [InlineData("class A { string s = \"Gateway.Hosting.X\"; }")]
    [InlineData("class A { string s = @\"Gateway.Hosting\"; }")]
    [InlineData("namespace Other.Gateway.Hosting;")]
    public void The_scan_ignores_comments_strings_and_other_roots(string source) =>
        Assert.Empty(SourceImports.ReferencedFolders(source));
}
