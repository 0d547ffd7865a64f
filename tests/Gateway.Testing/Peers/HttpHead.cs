using System.Text;

namespace Gateway.Testing.Peers;

/// An HTTP/1.1 head (request or response) as a test peer reads it: the first line and the headers.
public sealed record HttpHead(string FirstLine, IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    public int Status => int.Parse(FirstLine.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);

    public string Target => FirstLine.Split(' ')[1];

    public string? this[string name] =>
        Headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    public IEnumerable<string> All(string name) =>
        Headers.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value);

    /// Reads a head up to the blank line; returns it and whatever bytes came after it.
    public static async Task<(HttpHead? Head, byte[] Remainder)> ReadAsync(Stream stream, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var data = new List<byte>();
        var buffer = new byte[4096];
        while (true)
        {
            int end = IndexOfBlankLine(data);
            if (end >= 0)
            {
                var text = Encoding.Latin1.GetString(data.GetRange(0, end).ToArray());
                var lines = text.Split("\r\n");
                var headers = lines.Skip(1).Where(l => l.Length > 0)
                    .Select(l => new KeyValuePair<string, string>(l[..l.IndexOf(':')], l[(l.IndexOf(':') + 1)..].Trim()))
                    .ToList();
                return (new HttpHead(lines[0], headers), data.GetRange(end + 4, data.Count - end - 4).ToArray());
            }

            int read;
            try
            {
                read = await stream.ReadAsync(buffer, cts.Token);
            }
            catch (OperationCanceledException)
            {
                return (null, [.. data]);
            }

            if (read == 0)
            {
                return (null, [.. data]);
            }

            data.AddRange(buffer.AsSpan(0, read));
        }
    }

    private static int IndexOfBlankLine(List<byte> data)
    {
        for (int i = 0; i + 3 < data.Count; i++)
        {
            if (data[i] == '\r' && data[i + 1] == '\n' && data[i + 2] == '\r' && data[i + 3] == '\n')
            {
                return i;
            }
        }

        return -1;
    }
}
