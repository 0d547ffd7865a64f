using System.Globalization;
using Gateway.Configuration.Yaml;

namespace Gateway.Configuration.Validation;

/// <summary>
/// `routes[].auth.api_keys`: the key comes from one header or one query parameter; `keys_file` holds one SHA-256
/// digest (64 hex digits) per line, optionally followed by a name, so a leaked file gives no usable key.
/// </summary>
internal static class ApiKeysValidator
{
    private const int DigestHexLength = 64;

    public static ApiKeysConfig? Read(ConfigField field, string baseDirectory, ConfigErrorCollector errors)
    {
        if (MappingReader.Open(field, ConfigSections.ApiKeys, errors) is not { } map)
            return null;
        var headerField = map.Optional("header");
        var queryField = map.Optional("query");
        string? header = headerField is { } h ? ScalarReader.NonEmptyText(h, errors) : null;
        string? query = queryField is { } q ? ScalarReader.NonEmptyText(q, errors) : null;
        if (headerField is null && queryField is null)
            errors.Add(map.Field.Node, map.Path.Key("header"), "required: give `header` (like X-Api-Key) or `query` (like api_key)");
        else if (headerField is not null && queryField is { } both)
            errors.Add(both, "give `header` or `query`, not both: a key is read from one place");
        if (header is not null && !SubprotocolRules.IsToken(header))
            errors.Add(headerField!.Value, $"`{header}` is not a valid header name");

        var keys = map.Required("keys_file") is { } k ? ReadKeysFile(k, baseDirectory, errors) : [];
        return new ApiKeysConfig(header, query, keys);
    }

    private static IReadOnlyList<ApiKeyDigest> ReadKeysFile(ConfigField field, string baseDirectory, ConfigErrorCollector errors)
    {
        if (ScalarReader.NonEmptyText(field, errors) is not { } path)
            return [];
        string[] lines;
        try
        {
            lines = File.ReadAllLines(Path.GetFullPath(path, baseDirectory));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.Add(field, $"cannot read `{path}`: {e.Message}");
            return [];
        }

        var keys = new List<ApiKeyDigest>();
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            var parts = line.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries);
            if (parts[0].Length != DigestHexLength || !parts[0].All(char.IsAsciiHexDigit))
            {
                // The line may be a raw key by mistake: say where, never what.
                errors.Add(field, $"line {i + 1} of `{path}` is not a SHA-256 digest (64 hex digits); store `printf %s KEY | sha256sum`, never the key itself");
                continue;
            }

            var digest = Convert.FromHexString(parts[0]);
            string name = parts.Length > 1 ? parts[1].Trim() : "key-" + parts[0][..12].ToLower(CultureInfo.InvariantCulture);
            keys.Add(new ApiKeyDigest(digest, name));
        }

        if (keys.Count == 0 && lines.All(l => l.Trim().Length == 0 || l.TrimStart().StartsWith('#')))
            errors.Add(field, $"`{path}` lists no key digest");
        return [.. keys];
    }
}
