using System.Buffers;
using System.Text;
using Gateway.Hosting;
using Gateway.Protocol.Handshake;

namespace Gateway.Fuzz.Targets;

/// <summary>
/// What the gateway makes of a client's upgrade request once Kestrel has split it into a request line and header
/// lines: the request-target check (Hosting/RequestHeadChecks) and the handshake rules (ServerHandshake, HeaderTokens,
/// WebSocketKey, WebSocketAccept). Input: [flags][request head...], split here the way Kestrel hands it over.
/// </summary>
/// <remarks>
/// Kestrel's own parser is not ours to fuzz; what lies behind it is. Each verdict is checked against the RFC rule
/// it stands for, list headers must mean the same on one line or several (RFC 9110 5.3), and a request the gateway
/// writes toward an upstream from what it accepted must pass its own checks.
/// </remarks>
internal static class RequestHeadTarget
{
    private static readonly string[] Allowed = ["chat", "superchat", "v2.json"];

    public static void Run(byte[] input)
    {
        if (input.Length < 1)
        {
            return;
        }

        var request = RequestHead.Split(input.AsSpan(1));
        CheckTarget(request.Target);
        CheckTokenLists(request);
        var upgrade = request.Values("Upgrade");
        var connection = request.Values("Connection");
        var key = request.Values("Sec-WebSocket-Key");
        var version = request.Values("Sec-WebSocket-Version");
        var rejection = ServerHandshake.Validate(request.Method, request.Protocol, upgrade, connection, key, version);
        CheckRejection(request, rejection);
        var joined = ServerHandshake.Validate(request.Method, request.Protocol, Joined(upgrade), Joined(connection), key,
            Joined(version));
        Invariant.Same(rejection, joined, "handshake verdict with list headers joined on one line");

        var allowed = (input[0] & 1) == 0 ? Allowed : [];
        var offered = request.Values("Sec-WebSocket-Protocol");
        var selection = ServerHandshake.SelectOfferedSubprotocols(offered, allowed, out var forwarded);
        CheckSelection(offered, allowed, selection, forwarded);
        var joinedSelection = ServerHandshake.SelectOfferedSubprotocols(Joined(offered), allowed, out var joinedForwarded);
        Invariant.Same(selection, joinedSelection, "subprotocol verdict with the offer joined on one line");
        Invariant.Same(string.Join(',', forwarded), string.Join(',', joinedForwarded), "subprotocols with the offer joined");

        foreach (var line in key)
        {
            CheckKey(line);
        }

        if (rejection is null && selection is null)
        {
            CheckUpstreamRequest(request, forwarded);
        }
    }

    private static IReadOnlyList<string?> Joined(IReadOnlyList<string?> lines) =>
        lines.Count == 0 ? lines : [string.Join(", ", lines)];

    /// <summary>Contract section 3: control characters, or none of origin-form, absolute-form and asterisk-form
    /// (RFC 9112 3.2), is a 400.</summary>
    private static void CheckTarget(string target)
    {
        string? problem = RequestHeadChecks.TargetProblem(target);
        bool control = target.Any(c => c < 0x20 || c == 0x7F);
        int scheme = target.IndexOf("://", StringComparison.Ordinal);
        bool absolute = scheme > 0 && char.IsAsciiLetter(target[0]) &&
            target[..scheme].All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.'); // RFC 3986 3.1
        bool expected = !control && (target.StartsWith('/') || absolute || target == "*");
        Invariant.Same(expected, problem is null, $"request target '{target}' verdict ({problem})");
    }

    private static void CheckTokenLists(RequestHead request)
    {
        foreach (var name in request.Names)
        {
            var values = request.Values(name);
            var elements = HeaderTokens.ParseList(values);
            foreach (var element in elements)
            {
                Invariant.Check(element.Length > 0 && !element.Contains(','), $"list element '{element}'");
                Invariant.Check(element.Trim(' ', '\t').Length == element.Length, $"untrimmed list element '{element}'");
            }

            foreach (var token in (string[])["websocket", "upgrade", elements.FirstOrDefault() ?? "x"])
            {
                bool listed = elements.Exists(e => e.Equals(token, StringComparison.OrdinalIgnoreCase));
                Invariant.Same(listed, HeaderTokens.ContainsToken(values, token), $"ContainsToken({name}, {token})");
            }
        }
    }

    /// <summary>An accepted upgrade has every RFC 6455 4.2.1 item; a refused one gets 400, or 426 for the version.</summary>
    private static void CheckRejection(RequestHead request, Refusal? rejection)
    {
        if (rejection is not null)
        {
            bool versionRefusal = rejection.Status == 426;
            Invariant.Check(rejection.Status == 400 || versionRefusal, $"status {rejection.Status}");
            Invariant.Check(!versionRefusal || rejection.Headers.SequenceEqual([new("Sec-WebSocket-Version", "13")]),
                "426 without Sec-WebSocket-Version: 13 (RFC 6455 4.4)");
            return;
        }

        Invariant.Same("GET", request.Method, "accepted method");
        Invariant.Check(request.Protocol.StartsWith("HTTP/", StringComparison.Ordinal) && request.Protocol != "HTTP/1.0",
            $"accepted protocol {request.Protocol}");
        Invariant.Check(HeaderTokens.ParseList(request.Values("Upgrade")).Contains("websocket", StringComparer.OrdinalIgnoreCase),
            "accepted without Upgrade: websocket");
        Invariant.Check(HeaderTokens.ParseList(request.Values("Connection")).Contains("upgrade", StringComparer.OrdinalIgnoreCase),
            "accepted without Connection: upgrade");
        Invariant.Same("13", string.Join(',', HeaderTokens.ParseList(request.Values("Sec-WebSocket-Version"))), "accepted version");
        var keys = request.Values("Sec-WebSocket-Key");
        Invariant.Same(1, keys.Count, "accepted key lines");
        string key = keys[0]!.Trim(' ', '\t');
        Span<byte> nonce = stackalloc byte[18];
        Invariant.Check(key.Length == 24 && !key.Any(char.IsWhiteSpace) && Convert.TryFromBase64String(key, nonce, out int n)
            && n == 16, $"accepted key '{key}' (RFC 6455 4.1 item 7)");
    }

    private static void CheckSelection(IReadOnlyList<string?> offered, string[] allowed, Refusal? rejection,
        List<string> forwarded)
    {
        var elements = HeaderTokens.ParseList(offered);
        if (rejection is not null)
        {
            Invariant.Same(400, rejection.Status, "subprotocol refusal status");
            Invariant.Check(forwarded.Count == 0, "a refused offer forwarded subprotocols");
            Invariant.Check(elements.Exists(e => !HeaderTokens.IsToken(e)), "an offer of tokens refused");
            return;
        }

        var expected = elements.Distinct(StringComparer.Ordinal).Where(e => allowed.Length == 0 || allowed.Contains(e));
        Invariant.Same(string.Join(',', expected), string.Join(',', forwarded), "subprotocols forwarded");
    }

    private static void CheckKey(string? line)
    {
        if (line is null || !WebSocketKey.IsValid(line))
        {
            return;
        }

        // RFC 6455 4.2.2 item 5.4: base64 of the SHA-1 of the key and the GUID.
        byte[] hash = System.Security.Cryptography.SHA1.HashData(Encoding.ASCII.GetBytes(line + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"));
        Invariant.Same(Convert.ToBase64String(hash), WebSocketAccept.Compute(line), "Sec-WebSocket-Accept");
    }

    /// <summary>The request the gateway writes upstream from an accepted one passes the gateway's own checks.</summary>
    private static void CheckUpstreamRequest(RequestHead request, List<string> subprotocols)
    {
        var output = new ArrayBufferWriter<byte>();
        string key = request.Values("Sec-WebSocket-Key")[0]!.Trim(' ', '\t');
        string host = request.Values("Host").FirstOrDefault() ?? "upstream.test";
        try
        {
            ClientHandshake.WriteRequest(output, request.Target, host, key, subprotocols, []);
        }
        catch (ArgumentException)
        {
            return; // documented: a target or host the writer will not put on the wire
        }

        var written = RequestHead.Split(output.WrittenSpan);
        Invariant.Same(request.Target, written.Target, "target written upstream");
        Invariant.Check(RequestHeadChecks.TargetProblem(written.Target) is null, "written target refused");
        var rejection = ServerHandshake.Validate(written.Method, written.Protocol, written.Values("Upgrade"),
            written.Values("Connection"), written.Values("Sec-WebSocket-Key"), written.Values("Sec-WebSocket-Version"));
        Invariant.Check(rejection is null, $"the upstream request is refused by our own check: {rejection}");
    }
}
