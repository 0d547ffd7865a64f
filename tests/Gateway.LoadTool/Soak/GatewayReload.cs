using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Gateway.LoadTool.Soak;

/// Chaos's reload (contract section 5): rewrites the gateway's config file with a harmless change and sends SIGHUP.
/// The change: the number on the line marked `# soak-reload` goes up by one and back down, reload after reload
/// (soak.sh marks `max_connections`, far above what the soak opens). The file is replaced by a rename, as deploy
/// tools do, so the gateway's file watcher never reads half a file; it reloads on the rename, and again on the signal.
internal sealed partial class GatewayReload
{
    private const int SigHup = 1;

    private readonly string _path;
    private readonly int _pid;
    private readonly string[] _lines;
    private readonly int _marked;
    private readonly long _value;
    private int _count;

    public GatewayReload(string path, int pid)
    {
        _path = path;
        _pid = pid;
        _lines = File.ReadAllLines(path);
        _marked = Array.FindIndex(_lines, line => line.Contains("# soak-reload", StringComparison.Ordinal));
        if (_marked < 0 || Number().Match(_lines[_marked]) is not { Success: true } match)
        {
            throw new ArgumentException($"{path}: no line with a number and '# soak-reload'");
        }

        _value = long.Parse(match.Value, CultureInfo.InvariantCulture);
    }

    public int Count => Volatile.Read(ref _count);

    public void Reload()
    {
        int count = Interlocked.Increment(ref _count);
        var lines = (string[])_lines.Clone();
        lines[_marked] = Number().Replace(lines[_marked], (_value + count % 2).ToString(CultureInfo.InvariantCulture), 1);
        string temporary = _path + ".soak-tmp";
        File.WriteAllLines(temporary, [.. lines, $"# soak reload {count}"]);
        File.Move(temporary, _path, overwrite: true);
        if (Kill(_pid, SigHup) != 0)
        {
            throw new InvalidOperationException($"kill -HUP {_pid}: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [GeneratedRegex(@"\d+")]
    private static partial Regex Number();

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
