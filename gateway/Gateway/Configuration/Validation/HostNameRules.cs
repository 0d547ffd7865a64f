using System.Text.RegularExpressions;

namespace Gateway.Configuration.Validation;

/// <summary>Host names as SNI (RFC 6066 section 3) and route matching use them, with an optional `*.` wildcard.</summary>
internal static partial class HostNameRules
{
    public const string Usage = "expected a host name like example.com or *.example.com";

    /// <summary>RFC 1035 section 2.3.4: a whole name is at most 253 characters as text.</summary>
    private const int MaxHostNameLength = 253;

    /// <summary>
    /// RFC 1123 section 2.1 labels (letters, digits, hyphens inside, at most 63 characters); a wildcard only as the
    /// whole leftmost label, the one form certificates (RFC 6125 section 6.4.3) and YARP host matching share.
    /// </summary>
    public static bool IsValidPattern(string host)
    {
        var name = host.StartsWith("*.", StringComparison.Ordinal) ? host[2..] : host;
        return name.Length is > 0 and <= MaxHostNameLength && name.Split('.').All(label => LabelPattern().IsMatch(label));
    }

    [GeneratedRegex("^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex LabelPattern();
}
