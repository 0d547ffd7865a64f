using System.Text.RegularExpressions;

namespace Gateway.Tests.Configuration;

/// Compares an error line with an expected one in which `*` stands for text from the OS (an I/O message).
internal static class ErrorText
{
    public static bool Matches(string expected, string actual) =>
        Regex.IsMatch(actual, "^" + Regex.Escape(expected).Replace("\\*", ".*") + "$");
}
