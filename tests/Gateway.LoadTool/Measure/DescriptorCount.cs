namespace Gateway.LoadTool.Measure;

/// Open file descriptors of a process: the entries of /proc/PID/fd (sockets, pipes, files, epoll and event fds).
public static class DescriptorCount
{
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
}
