using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Gateway.Configuration.Validation;

/// <summary>
/// `host:port` listen addresses: an IPv4 literal, `[IPv6]`, `localhost` or `*`. Host names other than localhost
/// are refused: a listener binds an address, and resolving names at startup hides which one.
/// </summary>
internal static partial class EndPointParser
{
    public const string Usage = "expected host:port such as 0.0.0.0:8443, [::]:8443, localhost:8080 or *:8443";

    private const int MinPort = 1;
    private const int MaxPort = ushort.MaxValue;

    /// <summary>The end point, or null and a message saying what is wrong.</summary>
    public static IPEndPoint? Parse(string text, out string? error)
    {
        error = null;
        string host, port;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf("]:", StringComparison.Ordinal);
            if (close < 0)
                return Fail(out error, $"{Usage}, got `{text}`");
            (host, port) = (text[1..close], text[(close + 2)..]);
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon < 0)
                return Fail(out error, $"{Usage}, got `{text}`");
            (host, port) = (text[..colon], text[(colon + 1)..]);
            if (host.Contains(':'))
                return Fail(out error, $"an IPv6 address goes in brackets, like [::1]:8443, got `{text}`");
        }

        var address = ParseHost(host, bracketed: text.StartsWith('['));
        if (address is null)
            return Fail(out error, $"`{host}` is not an IP address; use an IPv4 address, [IPv6], localhost or *");
        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var portNumber) || portNumber is < MinPort or > MaxPort)
            return Fail(out error, $"port must be between {MinPort} and {MaxPort}, got `{port}`");
        return new IPEndPoint(address, portNumber);
    }

    /// <summary>Two listeners cannot bind the same port where their addresses overlap; a wildcard overlaps all.</summary>
    public static bool Overlap(IPEndPoint a, IPEndPoint b) =>
        a.Port == b.Port && (a.Address.Equals(b.Address) || IsWildcard(a.Address) || IsWildcard(b.Address));

    private static bool IsWildcard(IPAddress address) => address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);

    private static IPAddress? ParseHost(string host, bool bracketed)
    {
        if (bracketed)
            return IPAddress.TryParse(host, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6 ? v6 : null;
        if (host == "*")
            return IPAddress.Any;
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
            return IPAddress.Loopback;
        // IPAddress.TryParse also takes "1" or "0x7f.1" (inet_aton forms); only the dotted quad is meant here.
        return DottedQuad().IsMatch(host) && IPAddress.TryParse(host, out var v4) ? v4 : null;
    }

    private static IPEndPoint? Fail(out string? error, string message)
    {
        error = message;
        return null;
    }

    [GeneratedRegex(@"^[0-9]{1,3}(\.[0-9]{1,3}){3}$", RegexOptions.CultureInvariant)]
    private static partial Regex DottedQuad();
}
