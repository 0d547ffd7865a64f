using System.Text.RegularExpressions;

namespace Gateway.Tests.Architecture;

/// Which of the gateway's folders each folder's source refers to: `using` directives (plain, static and aliases)
/// and fully qualified names (`Gateway.Relay.Leg`) outside comments and string literals. A folder is a namespace
/// (the style rule: a folder's namespace matches its name), so `Gateway.Tls.OpenSsl` counts as Tls.
public static partial class SourceImports
{
    /// The gateway project's folders that are layers; `Gateway.Protocol` is the protocol core's own assembly.
    public const string Protocol = "Protocol";

    /// Folder -> the folders it refers to (itself left out), for every .cs file under `projectDirectory`.
    public static IReadOnlyDictionary<string, SortedSet<string>> Of(string projectDirectory)
    {
        var graph = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(projectDirectory, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(projectDirectory, file).Split(Path.DirectorySeparatorChar);
            if (relative[0] is "obj" or "bin")
            {
                continue;
            }

            string folder = relative.Length > 1 ? relative[0] : "(root)";
            var targets = graph.TryGetValue(folder, out var set) ? set : graph[folder] = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var target in ReferencedFolders(File.ReadAllText(file)))
            {
                if (target != folder)
                {
                    targets.Add(target);
                }
            }
        }

        return graph;
    }

    /// The gateway folders one file's code names (`Gateway.X` in a using or a qualified name: X).
    public static IEnumerable<string> ReferencedFolders(string source)
    {
        var code = CommentsAndStrings().Replace(source, " ");
        foreach (Match match in QualifiedName().Matches(code))
        {
            yield return match.Groups[1].Value;
        }
    }

    /// Line and block comments, verbatim, raw and ordinary string literals, char literals: none of them is a reference.
    [GeneratedRegex("""//[^\n]*|/\*.*?\*/|@"(?:[^"]|"")*"|\"\"\"[\s\S]*?\"\"\"|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])+'""", RegexOptions.Singleline)]
    private static partial Regex CommentsAndStrings();

    /// `Gateway.` then a folder name, not preceded by another name part (so `Foo.Gateway.X` is not one).
    [GeneratedRegex(@"(?<![\w.])(?:global::)?Gateway\.([A-Z][A-Za-z]*)\b")]
    private static partial Regex QualifiedName();
}
