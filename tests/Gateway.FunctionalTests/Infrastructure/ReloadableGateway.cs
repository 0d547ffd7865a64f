using Gateway.Configuration;
using Gateway.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.FunctionalTests.Infrastructure;

/// The gateway in-process, started from a real gateway.yaml in a temporary directory, so that rewriting the file
/// reloads it (the file watcher) exactly as an operator's edit would.
public sealed class ReloadableGateway : IAsyncDisposable
{
    private int _reloads;

    private ReloadableGateway(string directory, GatewayApp app, CapturedLogs logs)
    {
        Directory = directory;
        App = app;
        Logs = logs;
    }

    public string Directory { get; }
    public string ConfigPath => Path.Combine(Directory, "gateway.yaml");
    public GatewayApp App { get; }
    public CapturedLogs Logs { get; }

    public static async Task<ReloadableGateway> StartAsync(string yaml)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("gateway-reload-").FullName;
        File.WriteAllText(Path.Combine(directory, "gateway.yaml"), yaml);
        var loaded = ConfigLoader.Load(Path.Combine(directory, "gateway.yaml"));
        if (loaded.Config is null)
        {
            throw new InvalidOperationException("test config invalid:\n" + string.Join("\n", loaded.Errors) + "\n" + yaml);
        }

        var logs = new CapturedLogs();
        var app = GatewayApp.Create(loaded.Config, logging => logging.AddProvider(logs));
        await app.StartAsync();
        return new ReloadableGateway(directory, app, logs);
    }

    /// Replaces the file the way deploy tools do (a new file renamed over the old one) and waits for the reload it
    /// triggers to finish; returns its "reloaded" or "rejected" log line.
    public async Task<string> RewriteAsync(string yaml)
    {
        var temporary = ConfigPath + ".new";
        File.WriteAllText(temporary, yaml);
        File.Move(temporary, ConfigPath, overwrite: true);
        _reloads++;
        // Longer than the reload's own bounds (up to 10 s for YARP's routes, then 10 s for Kestrel's listeners): a slow
        // reload still ends with its line, after its warning, and the test's own checks say what was not applied.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var done = Logs.Lines.Where(l => l.Contains("Configuration reloaded", StringComparison.Ordinal)
                || l.Contains("rejected with", StringComparison.Ordinal)).ToList();
            if (done.Count >= _reloads)
            {
                return done[_reloads - 1];
            }

            await Task.Delay(20);
        }

        throw new Xunit.Sdk.XunitException("no reload finished; logs:\n" + string.Join("\n", Logs.Lines));
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await App.StopAsync(cts.Token);
        await App.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
