using System.Globalization;

namespace Gateway.LoadTool.Measure;

/// CPU time (utime + stime, and utime alone) and resident memory of a process and all its descendants, from /proc:
/// nginx's master and workers, or the one process of HAProxy, Caddy and the gateway.
public sealed class ProcessMeter(int rootPid)
{
    /// /proc reports CPU time in clock ticks; Linux's USER_HZ is 100 on every mainstream architecture.
    private const double TicksPerSecond = 100;

    public int RootPid { get; } = rootPid;

    public ProcessSample Sample()
    {
        double cpu = 0, user = 0;
        long rss = 0;
        var pids = Tree();
        foreach (int pid in pids)
        {
            var (pidUser, pidSystem) = ReadCpuSeconds(pid);
            cpu += pidUser + pidSystem;
            user += pidUser;
            rss += ReadRssKiB(pid);
        }

        return new ProcessSample(cpu, user, rss, pids.Count);
    }

    /// The root and every process whose parent chain leads to it.
    private List<int> Tree()
    {
        var parents = new Dictionary<int, int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), out int pid) && ReadStatFields(pid) is { } fields)
            {
                parents[pid] = int.Parse(fields[1], CultureInfo.InvariantCulture);
            }
        }

        var tree = new List<int> { RootPid };
        for (int i = 0; i < tree.Count; i++)
        {
            foreach (var (pid, parent) in parents)
            {
                if (parent == tree[i])
                {
                    tree.Add(pid);
                }
            }
        }

        return tree;
    }

    private static (double User, double System) ReadCpuSeconds(int pid)
    {
        // proc(5) fields 14 and 15 (utime, stime): indexes 11 and 12 counted from field 3 (state).
        var fields = ReadStatFields(pid);
        return fields is null ? (0, 0) : (long.Parse(fields[11], CultureInfo.InvariantCulture) / TicksPerSecond,
            long.Parse(fields[12], CultureInfo.InvariantCulture) / TicksPerSecond);
    }

    private static long ReadRssKiB(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }

        return 0;
    }

    /// The fields after the command name, which may itself hold spaces and parentheses.
    private static string[]? ReadStatFields(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

/// UserSeconds: the part of CpuSeconds spent in user space, the proxy's own code and libraries: the kernel's part
/// moves more with the VM's scheduling and stolen time, so a change to user-space work shows more clearly in it.
public readonly record struct ProcessSample(double CpuSeconds, double UserSeconds, long RssKiB, int Processes);
