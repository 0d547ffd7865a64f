namespace Gateway.Testing.Files;

/// A directory under the system's temp directory for one test, deleted with everything in it when disposed, so
/// test runs leave nothing behind in /tmp.
public sealed class TempDirectory : IDisposable
{
    private TempDirectory(string path) => Path = path;

    public string Path { get; }

    public static TempDirectory Create(string prefix) => new(Directory.CreateTempSubdirectory(prefix).FullName);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A process the test started may still be writing into it: what is left is small, and not a failure.
        }
    }
}
