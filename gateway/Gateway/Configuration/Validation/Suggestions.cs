namespace Gateway.Configuration.Validation;

/// <summary>"Did you mean" hints for misspelt keys and names.</summary>
internal static class Suggestions
{
    /// <summary>
    /// Two edits catch a dropped letter plus a swapped pair (`max_mesage_szie`); more suggests unrelated words.
    /// Short words get one edit, or everything three letters long would look like everything else.
    /// </summary>
    private const int MaxDistance = 2;
    private const int ShortWordLength = 4;

    /// <summary>"; did you mean `x`?" for the closest candidate within reach, else "".</summary>
    public static string DidYouMean(string typed, IEnumerable<string> candidates) =>
        Closest(typed, candidates) is { } match ? $"; did you mean `{match}`?" : "";

    public static string? Closest(string typed, IEnumerable<string> candidates)
    {
        var reach = typed.Length < ShortWordLength ? 1 : MaxDistance;
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var distance = OptimalStringAlignmentDistance(typed.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance <= reach && distance < bestDistance && candidate != typed)
                (best, bestDistance) = (candidate, distance);
        }
        return best;
    }

    /// <summary>
    /// Levenshtein distance where swapping two adjacent letters counts as one edit (Damerau's restricted form,
    /// "optimal string alignment"), since swaps are the commonest typing slip.
    /// </summary>
    public static int OptimalStringAlignmentDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
            d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++)
            d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        }
        return d[a.Length, b.Length];
    }
}
