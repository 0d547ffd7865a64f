namespace Gateway.Fuzz;

/// <summary>
/// A fuzz target's broken promise. It is thrown, not logged: an exception that escapes the target is what afl-fuzz
/// records as a crash, with the input that caused it.
/// </summary>
public sealed class InvariantViolation(string message) : Exception(message);

internal static class Invariant
{
    public static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvariantViolation(message);
        }
    }

    public static void Same<T>(T expected, T actual, string what)
    {
        if (!EqualityComparer<T>.Default.Equals(expected, actual))
        {
            throw new InvariantViolation($"{what}: expected <{expected}>, got <{actual}>");
        }
    }
}
