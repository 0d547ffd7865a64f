namespace Gateway.Operations;

/// Reloads when the config file changes. Watches the directory, not the file: editors and deploy tools replace
/// a file by renaming a new one over it, which a watch on the old file would miss. Events come in bursts (truncate,
/// write, rename), so a reload starts once the file has been quiet for Settle.
public sealed class ConfigFileWatcher : IDisposable
{
    /// Long enough to coalesce one save's events, short enough that a reload feels immediate.
    public static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(250);

    private readonly FileSystemWatcher _watcher;
    private readonly Timer _timer;

    public ConfigFileWatcher(string path, Func<Task> reload)
    {
        var full = Path.GetFullPath(path);
        _timer = new Timer(_ => _ = reload(), null, Timeout.Infinite, Timeout.Infinite);
        _watcher = new FileSystemWatcher(Path.GetDirectoryName(full)!, Path.GetFileName(full))
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        FileSystemEventHandler changed = (_, _) => _timer.Change(Settle, Timeout.InfiniteTimeSpan);
        _watcher.Changed += changed;
        _watcher.Created += changed;
        _watcher.Renamed += (_, _) => _timer.Change(Settle, Timeout.InfiniteTimeSpan);
        _watcher.EnableRaisingEvents = true;
    }

    public void Dispose()
    {
        _watcher.Dispose();
        _timer.Dispose();
    }
}
