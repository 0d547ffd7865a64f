using System.Globalization;
using Gateway.Configuration.Yaml;

namespace Gateway.Configuration.Validation;

/// <summary>
/// Typed reads of single values. Each returns null after adding an error, so callers fall back to a default and
/// carry on: the snapshot built from a file with errors is thrown away anyway.
/// </summary>
internal static class ScalarReader
{
    /// <summary>Any non-null scalar, quoted or not; an empty quoted string is returned as "".</summary>
    public static string? Text(ConfigField field, ConfigErrorCollector errors)
    {
        if (field.Node is ConfigScalar { IsNull: false } scalar)
            return scalar.Value;
        errors.Add(field, $"expected a text value, got {field.Node.Describe()}");
        return null;
    }

    /// <summary>Text that must not be empty; most names and paths are useless empty.</summary>
    public static string? NonEmptyText(ConfigField field, ConfigErrorCollector errors)
    {
        var text = Text(field, errors);
        if (text is null || text.Trim().Length > 0)
            return text?.Trim();
        errors.Add(field, "must not be empty");
        return null;
    }

    /// <summary>YAML 1.2 core schema booleans (section 10.3.2); `yes`/`on` are YAML 1.1 and ambiguous, so refused.</summary>
    public static bool? Boolean(ConfigField field, ConfigErrorCollector errors)
    {
        if (field.Node is ConfigScalar { IsPlain: true } scalar)
        {
            switch (scalar.Value)
            {
                case "true" or "True" or "TRUE":
                    return true;
                case "false" or "False" or "FALSE":
                    return false;
            }
        }
        errors.Add(field, $"expected true or false, got {field.Node.Describe()}");
        return null;
    }

    /// <summary>A decimal whole number within [min, max]; quoting is forgiven, since "5" means 5 to everyone.</summary>
    public static int? Integer(ConfigField field, int min, int max, ConfigErrorCollector errors)
    {
        if (field.Node is not ConfigScalar { IsNull: false } scalar
            || !long.TryParse(scalar.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            errors.Add(field, $"expected a whole number, got {field.Node.Describe()}");
            return null;
        }
        if (value >= min && value <= max)
            return (int)value;
        // Bounds that only exist because of the int type are not worth mentioning unless crossed.
        var rule = (value < min, max == int.MaxValue) switch
        {
            (true, true) => min == 1 ? "must be greater than 0" : $"must be at least {min}",
            (false, true) => $"must be at most {max}",
            _ => $"must be between {min} and {max}",
        };
        errors.Add(field, $"{rule}, got `{value}`");
        return null;
    }

    /// <summary>The items of a list, each with its indexed key path.</summary>
    public static IReadOnlyList<ConfigField>? List(ConfigField field, ConfigErrorCollector errors)
    {
        if (field.Node is ConfigSequence sequence)
            return [.. sequence.Items.Select((item, index) => new ConfigField(item, field.Path.Index(index)))];
        errors.Add(field, $"expected a list, got {field.Node.Describe()}");
        return null;
    }

    /// <summary>A list that must have at least one item; <paramref name="what"/> names an item in the message.</summary>
    public static IReadOnlyList<ConfigField>? NonEmptyList(ConfigField field, string what, ConfigErrorCollector errors)
    {
        var items = List(field, errors);
        if (items is { Count: 0 })
            errors.Add(field, $"must list at least one {what}");
        return items;
    }

    /// <summary>Items of a list of text values; bad items are reported and left out.</summary>
    public static IReadOnlyList<(ConfigField Field, string Text)> TextItems(ConfigField field, ConfigErrorCollector errors)
    {
        var items = List(field, errors) ?? [];
        var texts = new List<(ConfigField, string)>();
        foreach (var item in items)
        {
            if (NonEmptyText(item, errors) is { } text)
                texts.Add((item, text));
        }
        return texts;
    }
}
