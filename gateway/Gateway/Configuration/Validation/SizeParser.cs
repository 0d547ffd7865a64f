using System.Globalization;
using System.Text.RegularExpressions;

namespace Gateway.Configuration.Validation;

/// <summary>
/// Sizes as contract section 2 writes them: a whole number of bytes, or a number with B, KiB, MiB or GiB.
/// Binary units only, so `1MiB` means exactly what the frame header counts; `MB` is refused rather than guessed.
/// </summary>
internal static partial class SizeParser
{
    public const string Usage = "expected a size like 64KiB or a number of bytes";

    /// <summary>Null for text that is not a size, or one too large for a 64-bit count of bytes.</summary>
    public static long? Parse(string text)
    {
        var match = SizePattern().Match(text.Trim());
        if (!match.Success || !long.TryParse(match.Groups["number"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            return null;
        long multiplier = match.Groups["unit"].Value switch
        {
            "" or "B" => 1,
            "KiB" => 1L << 10,
            "MiB" => 1L << 20,
            _ => 1L << 30, // GiB, the only other unit the pattern admits
        };
        return number > long.MaxValue / multiplier ? null : number * multiplier;
    }

    [GeneratedRegex(@"^(?<number>[0-9]+) ?(?<unit>B|KiB|MiB|GiB)?$", RegexOptions.CultureInvariant)]
    private static partial Regex SizePattern();
}
