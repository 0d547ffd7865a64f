using Gateway.Configuration.Validation;

namespace Gateway.Tests.Configuration.Validation;

public sealed class SuggestionsTests
{
    [Theory]
    [InlineData("", "", 0)]
    [InlineData("abc", "", 3)]
    [InlineData("max_mesage_size", "max_message_size", 1)]
    [InlineData("brust", "burst", 1)]
    [InlineData("ab", "ba", 1)]
    [InlineData("max_mesage_szie", "max_message_size", 2)]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("ca", "abc", 3)] // the restricted form: no edit inside a swapped pair
    public void Distance_counts_a_swap_as_one_edit(string a, string b, int distance)
    {
        Assert.Equal(distance, Suggestions.OptimalStringAlignmentDistance(a, b));
        Assert.Equal(distance, Suggestions.OptimalStringAlignmentDistance(b, a));
    }

    [Theory]
    [InlineData("upstream", "upstreams")]
    [InlineData("LISTEN", "listen")]
    [InlineData("rotues", "routes")]
    [InlineData("lsten", "listen")]
    public void Close_misspellings_find_the_key(string typed, string expected)
    {
        Assert.Equal(expected, Suggestions.Closest(typed, ["listen", "defaults", "routes", "upstreams", "demo"]));
    }

    [Fact]
    public void Short_words_get_only_one_edit()
    {
        Assert.Equal("demo", Suggestions.Closest("dem", ["listen", "demo"]));
        Assert.Null(Suggestions.Closest("dx", ["demo"]));
        Assert.Null(Suggestions.Closest("per", ["burst"]));
        Assert.Equal("per", Suggestions.Closest("pr", ["rate", "per", "burst"]));
    }

    [Fact]
    public void Nearest_candidate_wins()
    {
        Assert.Equal("rates", Suggestions.Closest("ratesx", ["rat", "rates"]));
        Assert.Equal("; did you mean `round_robin`?", Suggestions.DidYouMean("round_robbin", ["random", "round_robin"]));
        Assert.Equal("", Suggestions.DidYouMean("weighted", ["random", "round_robin"]));
    }
}
