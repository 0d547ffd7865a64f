using System.Globalization;
using System.Text.RegularExpressions;

namespace Gateway.Configuration.Validation;

/// <summary>Durations as contract section 2 writes them: a whole number with ms, s, m or h (`500ms`, `30s`, `5m`, `1h`).</summary>
internal static partial class DurationParser
{
    public const string Usage = "expected a duration like 500ms, 30s, 5m or 1h";

    /// <summary>
    /// .NET timers (Task.Delay, PeriodicTimer, CancellationTokenSource.CancelAfter) refuse more than 2^32-2 ms,
    /// about 1193 hours; a longer timeout would be accepted here and throw at run time.
    /// </summary>
    public static readonly TimeSpan Longest = TimeSpan.FromHours(1193);

    /// <summary>Null for text that is not a duration; <see cref="TimeSpan.MaxValue"/> for one far beyond <see cref="Longest"/>.</summary>
    public static TimeSpan? Parse(string text)
    {
        text = text.Trim();
        // Zero is zero in every unit, so a bare 0 needs none.
        if (text == "0")
            return TimeSpan.Zero;
        var match = DurationPattern().Match(text);
        if (!match.Success || !long.TryParse(match.Groups["number"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            return null;
        var unit = match.Groups["unit"].Value switch
        {
            "ms" => TimeSpan.FromMilliseconds(1),
            "s" => TimeSpan.FromSeconds(1),
            "m" => TimeSpan.FromMinutes(1),
            _ => TimeSpan.FromHours(1), // h, the only other unit the pattern admits
        };
        // Compare before multiplying so that a huge number cannot overflow the tick count.
        return number > Longest.Ticks / unit.Ticks ? TimeSpan.MaxValue : TimeSpan.FromTicks(unit.Ticks * number);
    }

    [GeneratedRegex(@"^(?<number>[0-9]+) ?(?<unit>ms|s|m|h)$", RegexOptions.CultureInvariant)]
    private static partial Regex DurationPattern();
}
