using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Gateway.FunctionalTests.Infrastructure;

/// Every log line the gateway under test writes, so tests can assert "one log line" per rejection. Each line starts
/// with the seconds since capture began and its category, so a failure's dump shows what happened when.
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly long _started = System.Diagnostics.Stopwatch.GetTimestamp();

    public IReadOnlyList<string> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    /// Waits briefly for a line containing `text` (log lines are written after the response is sent).
    public async Task<string> WaitForAsync(string text, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (DateTime.UtcNow < deadline)
        {
            var line = _lines.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal));
            if (line is not null)
            {
                return line;
            }

            await Task.Delay(20);
        }

        throw new Xunit.Sdk.XunitException($"no log line containing \"{text}\"; lines:\n" + string.Join("\n", _lines));
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._lines.Enqueue(FormattableString.Invariant(
                $"+{System.Diagnostics.Stopwatch.GetElapsedTime(owner._started).TotalSeconds:F3}s {category} {logLevel}: {formatter(state, exception)}"));
    }
}
