using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;

namespace Gateway.Upgrade;

/// The client headers that go into the upstream handshake: Origin and Cookie as sent, and where the request came
/// from (X-Forwarded-For/-Proto/-Host, RFC 7239 Forwarded), appended to what an earlier proxy said.
internal static class ForwardedHeaders
{
    private static readonly string[] Copied = ["Origin", "Cookie", "User-Agent"];

    public static List<KeyValuePair<string, string>> From(HttpRequest request, IPAddress? client)
    {
        var headers = new List<KeyValuePair<string, string>>(8);
        foreach (var name in Copied)
        {
            foreach (var value in request.Headers[name])
            {
                if (!string.IsNullOrEmpty(value))
                {
                    headers.Add(new(name, value));
                }
            }
        }

        string address = client?.IsIPv4MappedToIPv6 == true ? client.MapToIPv4().ToString() : client?.ToString() ?? "unknown";
        string proto = request.IsHttps ? "https" : "http";
        string host = request.Host.Value ?? "";
        headers.Add(new("X-Forwarded-For", Append(request.Headers["X-Forwarded-For"].ToString(), address)));
        headers.Add(new("X-Forwarded-Proto", proto));
        headers.Add(new("X-Forwarded-Host", host));
        string node = client?.AddressFamily == AddressFamily.InterNetworkV6 && client.IsIPv4MappedToIPv6 == false
            ? $"\"[{address}]\"" : address;
        string forwarded = $"for={node};proto={proto}" + (host.Length > 0 ? $";host=\"{host}\"" : "");
        headers.Add(new("Forwarded", Append(request.Headers["Forwarded"].ToString(), forwarded)));
        return headers;
    }

    private static string Append(string existing, string value) => existing.Length == 0 ? value : existing + ", " + value;
}
