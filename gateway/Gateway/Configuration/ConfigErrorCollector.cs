using Gateway.Configuration.Yaml;

namespace Gateway.Configuration;

/// <summary>
/// The one error list every loader and validator appends to. Nothing stops at the first error: an operator fixing a
/// file wants every problem in one run, like a compiler.
/// </summary>
internal sealed class ConfigErrorCollector(string file)
{
    private readonly List<ConfigError> errors = [];

    public int Count => errors.Count;

    public void Add(int line, int column, string keyPath, string message) =>
        errors.Add(new ConfigError(file, line, column, keyPath, message));

    public void Add(ConfigNode node, KeyPath path, string message) => Add(node.Line, node.Column, path.ToString(), message);

    public void Add(ConfigField field, string message) => Add(field.Node, field.Path, message);

    /// <summary>In file order, so the output reads top to bottom; errors at one spot keep the order they were found.</summary>
    public IReadOnlyList<ConfigError> InFileOrder() => [.. errors.OrderBy(e => e.Line).ThenBy(e => e.Column)];
}
