using System.Diagnostics;

namespace Gateway.Testing.Peers;

/// A node script from tests/node (the npm `ws` package) run as a peer. Its stdin is kept open and closed on
/// dispose, which the scripts take as the signal to exit; the process is killed if it does not.
public sealed class NodePeer : IAsyncDisposable
{
    private readonly Process _process;

    private NodePeer(Process process) => _process = process;

    public Process Process => _process;

    public static NodePeer Start(string script, params string[] args)
    {
        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = RepositoryPaths.NodePeers,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(script);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return new NodePeer(Process.Start(info) ?? throw new InvalidOperationException("cannot start node"));
    }

    /// Starts tests/node/echo-upstream.js on a free port and waits until it listens.
    public static async Task<(NodePeer Peer, Uri Address)> StartEchoUpstreamAsync()
    {
        var peer = Start("echo-upstream.js", "0");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var line = await peer._process.StandardOutput.ReadLineAsync(cts.Token)
            ?? throw new InvalidOperationException("echo-upstream.js exited: " + await peer._process.StandardError.ReadToEndAsync());
        return (peer, new Uri("ws://127.0.0.1:" + line.Split(' ')[1]));
    }

    /// Runs a script to its end and returns its exit code and output.
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(TimeSpan timeout, string script, params string[] args)
    {
        await using var peer = Start(script, args);
        using var cts = new CancellationTokenSource(timeout);
        var output = peer._process.StandardOutput.ReadToEndAsync(cts.Token);
        var error = peer._process.StandardError.ReadToEndAsync(cts.Token);
        await peer._process.WaitForExitAsync(cts.Token);
        return (peer._process.ExitCode, await output, await error);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or InvalidOperationException or IOException)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}
