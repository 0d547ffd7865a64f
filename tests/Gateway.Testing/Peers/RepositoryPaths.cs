namespace Gateway.Testing.Peers;

/// Where the repository's files are, found by walking up from the test binaries to Gateway.sln.
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string NodePeers => Path.Combine(Root, "tests", "node");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Gateway.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Gateway.sln not found above " + AppContext.BaseDirectory);
    }
}
