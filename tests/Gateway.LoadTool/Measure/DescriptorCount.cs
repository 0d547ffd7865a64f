using System.Globalization;
using System.Net;

namespace Gateway.LoadTool.Measure;

/// Open file descriptors of a process: the entries of /proc/PID/fd (sockets, pipes, files, epoll and event fds),
/// and what each one is, TCP sockets with their state and addresses from /proc/net/tcp{,6}.
public static class DescriptorCount
{
    private static readonly string[] TcpStates =
        ["?", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING"];

    public static int Of(int pid)
    {
        try
        {
            return Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd").Count();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return -1;
        }
    }

    /// fd number -> what it points at ("socket:[123]", "anon_inode:[eventpoll]", "pipe:[456]", a path).
    public static Dictionary<int, string> Targets(int pid)
    {
        var targets = new Dictionary<int, string>();
        try
        {
            foreach (var entry in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
            {
                if (int.TryParse(Path.GetFileName(entry), out int fd) && new FileInfo(entry).LinkTarget is { } target)
                {
                    targets[fd] = target;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return targets;
    }

    /// Socket inode -> "STATE local -> remote" for every TCP socket of this network namespace.
    public static Dictionary<string, string> TcpSockets()
    {
        var sockets = new Dictionary<string, string>();
        foreach (var file in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(file))
            {
                continue;
            }

            foreach (var line in File.ReadLines(file).Skip(1))
            {
                var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length > 9)
                {
                    int state = int.Parse(f[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    sockets[$"socket:[{f[9]}]"] = $"{(state < TcpStates.Length ? TcpStates[state] : f[3])} {Address(f[1])} -> {Address(f[2])}";
                }
            }
        }

        return sockets;
    }

    /// "0100007F:4863" -> 127.0.0.1:18531 (the address in the kernel's byte order, the port in hex).
    private static string Address(string hex)
    {
        var parts = hex.Split(':');
        byte[] bytes = Convert.FromHexString(parts[0]);
        for (int i = 0; i < bytes.Length; i += 4)
        {
            Array.Reverse(bytes, i, 4);
        }

        return $"{new IPAddress(bytes)}:{int.Parse(parts[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture)}";
    }
}
