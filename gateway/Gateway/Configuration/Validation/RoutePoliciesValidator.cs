using Gateway.Configuration.Yaml;

namespace Gateway.Configuration.Validation;

/// <summary>A route's upgrade policies: `origins` with `allow_missing_origin`, `auth`, and `forward`.</summary>
internal static class RoutePoliciesValidator
{
    private const string AnyKeyword = "any";
    private const string SameOriginKeyword = "same-origin";

    /// <summary>RFC 6454 section 7.1: the serialization of an opaque origin (sandboxed frames, file:// pages).</summary>
    private const string NullOrigin = "null";

    public static (OriginsConfig? Origins, AuthConfig? Auth, ForwardConfig? Forward) Read(MappingReader route, string baseDirectory,
        ConfigErrorCollector errors)
    {
        var allowMissingField = route.Optional("allow_missing_origin");
        bool allowMissing = allowMissingField is { } a && ScalarReader.Boolean(a, errors) == true;
        OriginsConfig? origins = null;
        if (route.Optional("origins") is { } originsField)
            origins = ReadOrigins(originsField, allowMissing, errors);
        else if (allowMissingField is { } unused)
            errors.Add(unused, "only means something with `origins`: without `origins` the Origin header is not checked at all");

        var auth = route.Optional("auth") is { } authField ? AuthValidator.Read(authField, baseDirectory, errors) : null;
        var forward = route.Optional("forward") is { } forwardField ? ForwardValidator.Read(forwardField, errors) : null;
        return (origins, auth, forward);
    }

    private static OriginsConfig? ReadOrigins(ConfigField field, bool allowMissing, ConfigErrorCollector errors)
    {
        if (field.Node is ConfigScalar { IsNull: false } scalar)
        {
            return scalar.Value switch
            {
                AnyKeyword => new OriginsConfig(OriginMode.Any, [], AllowNull: true, allowMissing),
                SameOriginKeyword => new OriginsConfig(OriginMode.SameOrigin, [], AllowNull: false, allowMissing),
                _ => Invalid(field, $"expected a list of origins, `{AnyKeyword}` or `{SameOriginKeyword}`, got `{scalar.Value}`" +
                    Suggestions.DidYouMean(scalar.Value, [AnyKeyword, SameOriginKeyword]), errors),
            };
        }

        if (field.Node is ConfigSequence { Items.Count: 0 })
            return Invalid(field, $"must list at least one origin (or say `{AnyKeyword}` or `{SameOriginKeyword}`)", errors);
        var patterns = new List<OriginPattern>();
        bool allowNull = false;
        foreach (var (item, text) in ScalarReader.TextItems(field, errors))
        {
            if (text == NullOrigin)
            {
                allowNull = true;
                continue;
            }

            var pattern = OriginPattern.Parse(text, allowWildcard: true);
            if (pattern is null)
                errors.Add(item, $"expected an origin like https://chat.example.com, https://*.example.com or http://localhost:3000 " +
                    $"(scheme, host and optional port; no path), got `{text}`");
            else if (patterns.Contains(pattern))
                errors.Add(item, $"`{text}` is listed twice (origins compare without case and default ports)");
            else
                patterns.Add(pattern);
        }

        return new OriginsConfig(OriginMode.List, [.. patterns], allowNull, allowMissing);
    }

    private static OriginsConfig? Invalid(ConfigField field, string message, ConfigErrorCollector errors)
    {
        errors.Add(field, message);
        return null;
    }
}
