using Microsoft.Extensions.Logging;

namespace Gateway.Diagnostics;

/// Where log lines go: stdout, one line per event. `logging.format: json` writes JSON objects (each
/// [LoggerMessage] argument a field); under systemd (JOURNAL_STREAM set) lines carry a `<level>` prefix that
/// journald turns into the priority and no timestamp (journald stamps them); otherwise UTC timestamped text.
public static class LogSetup
{
    public const string JournalVariable = "JOURNAL_STREAM";

    private const string Timestamp = "yyyy-MM-ddTHH:mm:ss.fffZ ";

    public static void Configure(ILoggingBuilder logging, LogFormat format, Action<ILoggingBuilder>? configure)
    {
        logging.ClearProviders();
        if (format == LogFormat.Json)
        {
            logging.AddJsonConsole(o =>
            {
                o.TimestampFormat = Timestamp.TrimEnd();
                o.UseUtcTimestamp = true;
            });
        }
        else if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(JournalVariable)))
        {
            logging.AddSystemdConsole();
        }
        else
        {
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = Timestamp;
                o.UseUtcTimestamp = true;
            });
        }

        // Kestrel and YARP narrate every request at Information; the gateway's own lines are what operators read.
        logging.AddFilter("Microsoft", LogLevel.Warning);
        logging.AddFilter("Yarp", LogLevel.Warning);
        // With this logger enabled at any level, ASP.NET Core starts an Activity for every request, which a session
        // then holds for its whole life; it only narrates requests, which the access log line already covers.
        logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        configure?.Invoke(logging);
    }
}

/// `logging.format`: one line of text per event (journald's format when systemd runs the gateway), or JSON.
public enum LogFormat { Text, Json }
