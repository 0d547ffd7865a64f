using System.Globalization;
using System.Text;

namespace Gateway.LoadTool.Soak;

/// One line of the soak's table: the gateway's RSS and descriptors next to the tool's sessions and messages.
internal sealed record SoakSample(string Time, int Sessions, int UpstreamConnections, long Sent, long Echoed,
    double EchoesPerSecond, long RssKiB, int Descriptors, int ChaosActions);

/// The closing table (Markdown, so it can go into tests/perf/README.md as it is) and the totals by how sessions ended.
internal static class SoakReport
{
    public static string Table(IEnumerable<SoakSample> samples)
    {
        var text = new StringBuilder();
        text.AppendLine("| time | sessions open | upstream conns | sent | echoed | echoes/s | RSS MiB | fds | chaos actions |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var s in samples)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {s.Time} | {s.Sessions} | {s.UpstreamConnections} | {s.Sent} | {s.Echoed} | " +
                $"{s.EchoesPerSecond:0} | {s.RssKiB / 1024.0:0.0} | {s.Descriptors} | {s.ChaosActions} |");
        }

        return text.ToString();
    }

    public static string Totals(IReadOnlyCollection<SessionResult> results)
    {
        var text = new StringBuilder();
        text.AppendLine("| sessions ended | count | sent | echoed | lost | duplicated | reordered | corrupted | close codes |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var end in Enum.GetValues<SessionEnd>())
        {
            var group = results.Where(r => r.End == end).ToList();
            if (group.Count == 0 && end is not (SessionEnd.ClosedNormally or SessionEnd.ClientAborted or SessionEnd.UpstreamReset))
            {
                continue;
            }

            string codes = string.Join(" ", group.GroupBy(r => r.CloseCode).OrderBy(g => g.Key)
                .Select(g => $"{(g.Key == 0 ? "none" : g.Key.ToString(CultureInfo.InvariantCulture))}x{g.Count()}"));
            text.AppendLine(CultureInfo.InvariantCulture, $"| {Name(end)} | {group.Count} | {group.Sum(r => r.Sent)} | " +
                $"{group.Sum(r => r.Echoed)} | {group.Sum(r => r.Lost)} | {group.Sum(r => r.Duplicated)} | " +
                $"{group.Sum(r => r.Reordered)} | {group.Sum(r => r.Corrupted)} | {codes} |");
        }

        return text.ToString();
    }

    public static string Name(SessionEnd end) => end switch
    {
        SessionEnd.ClosedNormally => "closed normally",
        SessionEnd.ClientAborted => "chaos: client reset",
        SessionEnd.UpstreamReset => "chaos: upstream reset",
        SessionEnd.CloseTimedOut => "close timed out",
        SessionEnd.ClosedByGateway => "closed by the gateway, unasked",
        _ => "failed, unasked",
    };
}
