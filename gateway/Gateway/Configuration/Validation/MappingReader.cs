using Gateway.Configuration.Yaml;

namespace Gateway.Configuration.Validation;

/// <summary>
/// One YAML mapping read against its <see cref="ConfigSection"/>. Unknown and not-yet-supported keys are reported
/// when it is opened, so a validator that gives up on a bad value further down still reports them.
/// </summary>
internal sealed class MappingReader
{
    /// <summary>YAML 1.1's merge key, which YAML 1.2 dropped and YamlDotNet's parser does not expand.</summary>
    private const string MergeKey = "<<";

    private readonly ConfigMapping mapping;
    private readonly ConfigSection section;
    private readonly ConfigErrorCollector errors;

    private MappingReader(ConfigMapping mapping, KeyPath path, ConfigSection section, ConfigErrorCollector errors)
    {
        this.mapping = mapping;
        Path = path;
        this.section = section;
        this.errors = errors;
    }

    public KeyPath Path { get; }

    public ConfigField Field => new(mapping, Path);

    /// <summary>Null (and an error added) when the node is not a mapping.</summary>
    public static MappingReader? Open(ConfigField field, ConfigSection section, ConfigErrorCollector errors)
    {
        if (field.Node is not ConfigMapping mapping)
        {
            errors.Add(field, $"expected a mapping{Describe(section)}, got {field.Node.Describe()}");
            return null;
        }
        foreach (var entry in mapping.Entries)
        {
            var key = entry.Key.Value;
            if (section.Keys.Contains(key))
                continue;
            var keyPath = field.Path.Key(key);
            if (section.NotYetSupported.Contains(key))
                errors.Add(entry.Key, keyPath, $"`{key}` is not supported by this version of the gateway yet");
            else if (key == MergeKey)
                errors.Add(entry.Key, keyPath, "YAML merge keys (`<<`) are not supported; write the keys out, or use `defaults` for shared limits");
            else
                errors.Add(entry.Key, keyPath,
                    $"unknown key `{key}`{Suggestions.DidYouMean(key, section.Keys.Concat(section.NotYetSupported))}");
        }
        return new MappingReader(mapping, field.Path, section, errors);
    }

    public ConfigField? Optional(string key)
    {
        if (!section.Keys.Contains(key))
            throw new ArgumentException($"`{key}` is not a key of {section.Name}", nameof(key));
        foreach (var entry in mapping.Entries)
        {
            if (entry.Key.Value == key)
                return new ConfigField(entry.Value, Path.Key(key));
        }
        return null;
    }

    /// <summary>A missing key is reported at the mapping that lacks it, with the key's own path.</summary>
    public ConfigField? Required(string key)
    {
        var field = Optional(key);
        if (field is null)
            errors.Add(mapping, Path.Key(key), "required key is missing");
        return field;
    }

    /// <summary>Small sections name their keys, which tells someone who wrote `per_ip: 20` what goes there.</summary>
    private static string Describe(ConfigSection section)
    {
        const int MaxKeysNamed = 3;
        var keys = section.Keys.Select(k => $"`{k}`").ToArray();
        return keys.Length switch
        {
            1 => $" with {keys[0]}",
            > 1 and <= MaxKeysNamed => $" with {string.Join(", ", keys[..^1])} and {keys[^1]}",
            _ => "",
        };
    }
}
