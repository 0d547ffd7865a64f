using System.Net;
using System.Net.Sockets;
using Gateway.Configuration;
using Gateway.Policies.Auth;
using Microsoft.AspNetCore.Http;

namespace Gateway.Upgrade;

/// The client headers that go into the upstream handshake: Origin and Cookie as sent, and where the request came
/// from (X-Forwarded-For/-Proto/-Host, RFC 7239 Forwarded), appended to what an earlier proxy said. With
/// `forward.headers`, those client headers instead of the default three; with `forward.identity_headers`, the
/// verified identity as X-Auth-*. A client's own X-Auth-* headers are never copied, whatever the config.
internal static class ForwardedHeaders
{
    private static readonly string[] Copied = ["Origin", "Cookie", "User-Agent"];

    public static List<KeyValuePair<string, string>> From(HttpRequest request, IPAddress? client, ForwardConfig? forward = null,
        Identity? identity = null)
    {
        var headers = new List<KeyValuePair<string, string>>(8);
        foreach (var name in forward?.Headers ?? Copied)
        {
            if (name.StartsWith("X-Auth-", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

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
        if (forward is { IdentityHeaders: true } && identity is not null)
        {
            headers.AddRange(identity.Headers());
        }

        return headers;
    }

    private static string Append(string existing, string value) => existing.Length == 0 ? value : existing + ", " + value;
}
