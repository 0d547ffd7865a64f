using System.Security;
using Gateway.Configuration.Validation;
using Gateway.Configuration.Yaml;

namespace Gateway.Configuration;

/// <summary>Turns gateway.yaml into a <see cref="GatewayConfig"/> snapshot, or into every error it contains.</summary>
public static class ConfigLoader
{
    /// <summary>Key path printed when the file itself cannot be read.</summary>
    public const string FileKeyPath = "(file)";

    /// <summary>
    /// Reads and validates. Never throws for bad content: YAML syntax errors, duplicate keys, type errors, unknown
    /// keys, semantic errors all become ConfigErrors (ALL of them, not the first). A missing/unreadable file is one
    /// error at 1:1 with key path "(file)". `File` in errors is `path` as given.
    /// </summary>
    public static ConfigLoadResult Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            if (Directory.Exists(path))
                return FileError(path, "is a directory; give the path of the YAML file");
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return FileError(path, "file not found");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SecurityException
            or ArgumentException or NotSupportedException)
        {
            return FileError(path, $"cannot read the file: {e.Message}");
        }
        var fullPath = Path.GetFullPath(path);
        return Parse(text, path, fullPath, Path.GetDirectoryName(fullPath)!);
    }

    /// <summary>
    /// Validates <paramref name="yaml"/> as if read from <paramref name="fileName"/>; relative certificate paths
    /// resolve against <paramref name="baseDirectory"/>.
    /// </summary>
    public static ConfigLoadResult LoadFromText(string yaml, string fileName, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        ArgumentException.ThrowIfNullOrEmpty(baseDirectory);
        var fullBase = Path.GetFullPath(baseDirectory);
        return Parse(yaml, fileName, Path.GetFullPath(fileName, fullBase), fullBase);
    }

    private static ConfigLoadResult Parse(string yaml, string fileName, string sourcePath, string baseDirectory)
    {
        var errors = new ConfigErrorCollector(fileName);
        // File.ReadAllText drops a UTF-8 byte order mark; text from elsewhere may still start with one.
        var root = YamlTreeReader.Read(yaml.TrimStart('\uFEFF'), errors);
        var config = root is null ? null : GatewayConfigValidator.Validate(root, sourcePath, baseDirectory, errors);
        return errors.Count == 0 ? new ConfigLoadResult(config, []) : new ConfigLoadResult(null, errors.InFileOrder());
    }

    private static ConfigLoadResult FileError(string path, string message) =>
        new(null, [new ConfigError(path, 1, 1, FileKeyPath, message)]);
}
