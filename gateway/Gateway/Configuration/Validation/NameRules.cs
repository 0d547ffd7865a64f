using System.Text.RegularExpressions;

namespace Gateway.Configuration.Validation;

/// <summary>
/// Route and upstream names: they become log fields and Prometheus label values, so they are kept to characters
/// that need no quoting or escaping anywhere.
/// </summary>
internal static partial class NameRules
{
    public const string Usage = "must be lowercase letters, digits, `_` or `-`";

    public static bool IsValid(string name) => NamePattern().IsMatch(name);

    [GeneratedRegex("^[a-z0-9_-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
