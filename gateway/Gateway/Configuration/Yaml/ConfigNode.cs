namespace Gateway.Configuration.Yaml;

/// <summary>
/// A YAML node and where it starts (1-based). The validators need nothing else from YAML, and unlike YamlDotNet's
/// representation model this tree survives duplicate keys, so they are reported with everything else.
/// </summary>
internal abstract record ConfigNode(int Line, int Column)
{
    /// <summary>What the node is, for messages of the form "expected X, got Y".</summary>
    public abstract string Describe();
}

internal sealed record ConfigScalar(int Line, int Column, string Value, bool IsPlain) : ConfigNode(Line, Column)
{
    private const int MaxQuotedLength = 60;

    /// <summary>YAML 1.2 core schema (section 10.3.2): an unquoted empty, `~` or `null` scalar is null.</summary>
    public bool IsNull => IsPlain && Value is "" or "~" or "null" or "Null" or "NULL";

    public override string Describe()
    {
        if (IsNull)
            return "an empty value";
        var text = Value.ReplaceLineEndings(" ");
        return text.Length <= MaxQuotedLength ? $"`{text}`" : $"`{text[..MaxQuotedLength]}...`";
    }
}

internal sealed record ConfigSequence(int Line, int Column, IReadOnlyList<ConfigNode> Items) : ConfigNode(Line, Column)
{
    public override string Describe() => "a list";
}

/// <summary>Entries in file order, keys unique (duplicates are reported and dropped while reading).</summary>
internal sealed record ConfigMapping(int Line, int Column, IReadOnlyList<ConfigEntry> Entries) : ConfigNode(Line, Column)
{
    public override string Describe() => "a mapping";
}

internal sealed record ConfigEntry(ConfigScalar Key, ConfigNode Value);

/// <summary>A node together with the dotted key path that led to it, which is what every error needs.</summary>
internal readonly record struct ConfigField(ConfigNode Node, KeyPath Path);
