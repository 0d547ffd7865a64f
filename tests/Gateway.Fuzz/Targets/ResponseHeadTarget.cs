using System.Buffers;
using System.Text;
using Gateway.Protocol.Handshake;
using Gateway.Testing.Buffers;

namespace Gateway.Fuzz.Targets;

/// <summary>
/// The upstream's response head (HttpResponseHeadParser) and the 101 check behind it. Input: [seed][head...].
/// The head is parsed whole, then split into segments, then as it would arrive (growing prefixes): every reading
/// agrees with the whole one, a prefix says NeedMoreData until the head is complete, and an accepted head has only
/// what RFC 9112 allows, writes back to bytes that parse to the same head, and passes ValidateResponse only as a
/// valid 101 for the key sent.
/// </summary>
internal static class ResponseHeadTarget
{
    /// <summary>RFC 6455 1.3's sample key; the seed corpus answers it with s3pPLMBiTxaQ9kYGzzhZRbK+xOo=.</summary>
    private const string Key = "dGhlIHNhbXBsZSBub25jZQ==";

    private static readonly string[] Offered = ["chat", "superchat"];

    public static void Run(byte[] input)
    {
        if (input.Length < 1)
        {
            return;
        }

        byte seed = input[0];
        byte[] bytes = input[1..];
        var whole = Parse(new ReadOnlySequence<byte>(bytes), out HttpResponseHead? head);
        foreach (int[] cuts in Chunkings.For(bytes.Length, seed))
        {
            var split = Parse(SequenceBuilder.SplitAt(bytes, cuts), out _);
            Invariant.Same(whole, split, $"split at [{string.Join(',', cuts.Take(16))}] vs whole");
        }

        CheckPrefixes(bytes, seed, whole);
        if (head is not null)
        {
            CheckHead(bytes, whole.Consumed, head);
            CheckWriteBack(head);
            CheckHandshake(head, (seed & 1) == 0 ? Offered : []);
        }
    }

    private readonly record struct Outcome(HeadParseStatus Status, string? Error, long Consumed, string Head);

    private static Outcome Parse(in ReadOnlySequence<byte> buffer, out HttpResponseHead? head)
    {
        HeadParseStatus status = HttpResponseHeadParser.TryParse(buffer, out head, out SequencePosition consumed,
            out SequencePosition examined, out string? error);
        long consumedLength = buffer.Slice(buffer.Start, consumed).Length;
        if (status == HeadParseStatus.Done)
        {
            Invariant.Check(head is not null && error is null, "Done without a head, or with an error");
            Invariant.Check(consumed.Equals(examined), "Done: consumed and examined differ");
            Invariant.Check(consumedLength is > 0 and <= HttpResponseHeadParser.MaxHeadLength, "Done: consumed out of range");
        }
        else
        {
            Invariant.Check(head is null, $"{status} with a head");
            Invariant.Check(consumed.Equals(buffer.Start) && examined.Equals(buffer.End), $"{status}: positions");
            Invariant.Check((status == HeadParseStatus.Error) == (error is not null), $"{status}: error is {error}");
        }

        return new Outcome(status, error, consumedLength, head is null ? "" : Describe(head));
    }

    private static string Describe(HttpResponseHead head) =>
        $"{head.StatusCode} [{head.ReasonPhrase}] {string.Join(" | ", head.Headers.Select(h => $"{h.Key}: {h.Value}"))}";

    /// <summary>The head as it arrives: prefixes are incomplete until the whole head is in, then read like the whole.</summary>
    private static void CheckPrefixes(byte[] bytes, byte seed, Outcome whole)
    {
        var random = new Random(seed ^ 0x5A);
        foreach (int cut in SequenceBuilder.RandomCuts(bytes.Length, random, maxChunk: 1 + (seed >> 4)))
        {
            var prefix = Parse(SequenceBuilder.SplitAt(bytes.AsMemory(0, cut), [cut / 2]), out _);
            switch (prefix.Status)
            {
                case HeadParseStatus.NeedMoreData:
                    Invariant.Check(whole.Status != HeadParseStatus.Done || cut < whole.Consumed,
                        $"NeedMoreData for a prefix of {cut} bytes holding the whole head");
                    break;
                case HeadParseStatus.Error:
                    Invariant.Same(whole.Error, prefix.Error, $"error of a prefix of {cut} bytes");
                    break;
                default:
                    Invariant.Same(whole, prefix, $"head read from a prefix of {cut} bytes");
                    break;
            }
        }
    }

    private static void CheckHead(byte[] bytes, long consumed, HttpResponseHead head)
    {
        ReadOnlySpan<byte> taken = bytes.AsSpan(0, (int)consumed);
        Invariant.Check(taken.EndsWith("\n\n"u8) || taken.EndsWith("\n\r\n"u8), "the head does not end at an empty line");
        int code = (bytes[9] - '0') * 100 + (bytes[10] - '0') * 10 + (bytes[11] - '0');
        Invariant.Same(code, head.StatusCode, "status code against the status line");
        Invariant.Check(!head.ReasonPhrase.AsSpan().ContainsAny('\r', '\n', '\0'), "CR, LF or NUL in the reason");
        int lines = taken.Count((byte)'\n');
        Invariant.Same(lines - 2, head.Headers.Count, "header count against the line count");
        foreach (var (name, value) in head.Headers)
        {
            Invariant.Check(HeaderTokens.IsToken(name), $"header name '{name}' is not a token (RFC 9110 5.1)");
            Invariant.Check(!value.AsSpan().ContainsAny('\r', '\n', '\0'), "CR, LF or NUL in a value (RFC 9110 5.5)");
            Invariant.Check(value.Length == 0 || (value[0] is not (' ' or '\t') && value[^1] is not (' ' or '\t')),
                "OWS around a value");
        }

        Invariant.Check(head.ContentLength is null or >= 0, "negative Content-Length");
    }

    private static void CheckWriteBack(HttpResponseHead head)
    {
        var text = new StringBuilder($"HTTP/1.1 {head.StatusCode} {head.ReasonPhrase}\r\n");
        foreach (var (name, value) in head.Headers)
        {
            text.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        byte[] written = Encoding.Latin1.GetBytes(text.Append("\r\n").ToString());
        var again = Parse(new ReadOnlySequence<byte>(written), out _);
        if (written.Length > HttpResponseHeadParser.MaxHeadLength)
        {
            return; // a head with many empty values grows by the ": " and CR written back
        }

        Invariant.Same(new Outcome(HeadParseStatus.Done, null, written.Length, Describe(head)), again, "head written back");
    }

    private static void CheckHandshake(HttpResponseHead head, string[] offered)
    {
        string? failure = ClientHandshake.ValidateResponse(head, Key, offered, out string? subprotocol);
        if (failure is not null)
        {
            Invariant.Check(subprotocol is null, "a failed handshake picked a subprotocol");
            return;
        }

        Invariant.Same(101, head.StatusCode, "accepted status");
        Invariant.Same(WebSocketAccept.Compute(Key), head.Get("Sec-WebSocket-Accept"), "accepted Sec-WebSocket-Accept");
        Invariant.Check(subprotocol is null || offered.Contains(subprotocol), "picked a subprotocol not offered");
    }
}
