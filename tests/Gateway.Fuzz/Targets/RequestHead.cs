using System.Text;

namespace Gateway.Fuzz.Targets;

/// <summary>
/// A request head split the way Kestrel hands it to the gateway: method, raw target and protocol from the request
/// line, header lines as name and OWS-trimmed value, names compared case-insensitively. Deliberately plain: it
/// only shapes fuzz input, it is not under test.
/// </summary>
internal sealed class RequestHead
{
    private readonly List<KeyValuePair<string, string>> _headers = [];

    public string Method { get; private set; } = "";

    public string Target { get; private set; } = "";

    public string Protocol { get; private set; } = "";

    public IEnumerable<string> Names => _headers.Select(h => h.Key).Distinct(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyList<string?> Values(string name) =>
        _headers.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Select(h => (string?)h.Value).ToList();

    public static RequestHead Split(ReadOnlySpan<byte> bytes)
    {
        var head = new RequestHead();
        string[] lines = Encoding.Latin1.GetString(bytes).Split('\n');
        string[] requestLine = lines[0].TrimEnd('\r').Split(' ', 3);
        head.Method = requestLine[0];
        head.Target = requestLine.Length > 1 ? requestLine[1] : "";
        head.Protocol = requestLine.Length > 2 ? requestLine[2] : "";
        foreach (string raw in lines.Skip(1))
        {
            string line = raw.TrimEnd('\r');
            if (line.Length == 0)
            {
                break;
            }

            int colon = line.IndexOf(':');
            if (colon > 0)
            {
                head._headers.Add(new(line[..colon], line[(colon + 1)..].Trim(' ', '\t')));
            }
        }

        return head;
    }
}
