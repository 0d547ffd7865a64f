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

    /// <summary>The size in the largest unit that divides it, as an operator would write it: 64KiB, 16MiB, 1000.</summary>
    public static string Format(long bytes) =>
        bytes != 0 && bytes % (1L << 30) == 0 ? $"{bytes >> 30}GiB"
        : bytes != 0 && bytes % (1L << 20) == 0 ? $"{bytes >> 20}MiB"
        : bytes != 0 && bytes % (1L << 10) == 0 ? $"{bytes >> 10}KiB"
        : bytes.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^(?<number>[0-9]+) ?(?<unit>B|KiB|MiB|GiB)?$", RegexOptions.CultureInvariant)]
    private static partial Regex SizePattern();
}
