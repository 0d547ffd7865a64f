using System.Buffers;
using System.Text;

namespace Gateway.Protocol.Handshake;

/// <summary>
/// Reads the upstream's response head (RFC 9112 4 and 5) in the shape of Kestrel's HTTP parser: works on a
/// <see cref="ReadOnlySequence{T}"/>, reports consumed/examined positions, and says "need more data" instead of
/// waiting.
/// </summary>
/// <remarks>
/// Each call rescans from the start of the buffer. A head is one or two reads in practice and is capped at
/// <see cref="MaxHeadLength"/>, so keeping state between calls would buy nothing worth its complexity. Lines are
/// validated in a first pass that allocates nothing; strings are made only once the whole head is there.
/// </remarks>
public static class HttpResponseHeadParser
{
    /// <summary>
    /// 16 KiB: HAProxy's default tune.bufsize, in which a whole head must fit there, and twice the largest
    /// default of nginx's proxy_buffer_size (one memory page, 4 or 8 KiB). A handshake answer is a few hundred bytes.
    /// </summary>
    public const int MaxHeadLength = 16 * 1024;

    private const byte Space = (byte)' ';
    private const byte Tab = (byte)'\t';

    /// <summary>
    /// Parses a response head at the start of <paramref name="buffer"/> up to and including the empty line
    /// (CRLF CRLF, or bare LF line ends). Done: consumed = examined = right after the head; the bytes after it
    /// belong to the body or, after a 101, to the WebSocket stream. NeedMoreData: consumed = start,
    /// examined = end. Error: consumed = start, examined = end, <paramref name="error"/> says what is wrong.
    /// </summary>
    public static HeadParseStatus TryParse(in ReadOnlySequence<byte> buffer, out HttpResponseHead? head,
        out SequencePosition consumed, out SequencePosition examined, out string? error)
    {
        head = null;
        consumed = buffer.Start;
        examined = buffer.End;
        var window = buffer.Length > MaxHeadLength ? buffer.Slice(0, MaxHeadLength) : buffer;
        byte[]? scratch = null;
        try
        {
            var status = Scan(window, builder: null, ref scratch, out var end, out error);
            if (status == HeadParseStatus.NeedMoreData && window.Length < buffer.Length)
            {
                error = $"response head is larger than {MaxHeadLength} bytes";
                return HeadParseStatus.Error;
            }
            if (status != HeadParseStatus.Done)
                return status;

            var builder = new HeadBuilder();
            Scan(window.Slice(0, end), builder, ref scratch, out _, out _);
            head = new HttpResponseHead(builder.StatusCode, builder.ReasonPhrase, builder.Headers);
            consumed = end;
            examined = end;
            return HeadParseStatus.Done;
        }
        finally
        {
            if (scratch is not null)
                ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private static HeadParseStatus Scan(ReadOnlySequence<byte> window, HeadBuilder? builder, ref byte[]? scratch,
        out SequencePosition end, out string? error)
    {
        end = default;
        var reader = new SequenceReader<byte>(window);
        var isStatusLine = true;
        while (reader.TryReadTo(out ReadOnlySequence<byte> rawLine, (byte)'\n'))
        {
            var line = rawLine.IsSingleSegment ? rawLine.FirstSpan : Flatten(rawLine, ref scratch);
            // RFC 9112 2.2: lines end in CRLF, but a recipient MAY accept a bare LF.
            if (!line.IsEmpty && line[^1] == '\r')
                line = line[..^1];

            if (isStatusLine)
            {
                error = ParseStatusLine(line, builder);
                isStatusLine = false;
            }
            else if (line.IsEmpty)
            {
                end = reader.Position;
                error = null;
                return HeadParseStatus.Done;
            }
            else
            {
                error = ParseHeaderLine(line, builder);
            }
            if (error is not null)
                return HeadParseStatus.Error;
        }
        error = null;
        return HeadParseStatus.NeedMoreData;
    }

    /// <summary>status-line = HTTP-version SP status-code SP [ reason-phrase ] (RFC 9112 4).</summary>
    private static string? ParseStatusLine(ReadOnlySpan<byte> line, HeadBuilder? builder)
    {
        // HTTP-version = "HTTP/" DIGIT "." DIGIT, case-sensitive (RFC 9112 2.3).
        if (line.Length < 9 || !line.StartsWith("HTTP/"u8) || !char.IsAsciiDigit((char)line[5]) || line[6] != '.'
            || !char.IsAsciiDigit((char)line[7]) || line[8] != Space)
        {
            return "malformed status line";
        }

        var rest = line[9..];
        var space = rest.IndexOf(Space);
        var code = space < 0 ? rest : rest[..space];
        // Liberal: "HTTP/1.1 101" without the SP before an empty reason is common and harmless.
        if (code.Length != 3 || code.ContainsAnyExceptInRange((byte)'0', (byte)'9') || code[0] == '0')
            return "status code is not 3 digits";

        var reason = space < 0 ? ReadOnlySpan<byte>.Empty : rest[(space + 1)..];
        if (HasCrOrNul(reason))
            return "invalid character in status line";

        if (builder is not null)
        {
            builder.StatusCode = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
            builder.ReasonPhrase = Encoding.Latin1.GetString(reason);
        }
        return null;
    }

    /// <summary>field-line = field-name ":" OWS field-value OWS (RFC 9112 5).</summary>
    private static string? ParseHeaderLine(ReadOnlySpan<byte> line, HeadBuilder? builder)
    {
        // RFC 9112 5.2: a gateway that gets obs-fold in a response may answer 502 instead of unfolding.
        if (line[0] is Space or Tab)
            return "obsolete line folding in a header";
        var colon = line.IndexOf((byte)':');
        if (colon < 0)
            return "header line without a colon";
        if (colon == 0)
            return "header line with an empty name";
        var name = line[..colon];
        // RFC 9112 5.1: no whitespace is allowed between the field name and the colon.
        if (name[^1] is Space or Tab)
            return "whitespace before the colon in a header";
        foreach (var b in name)
        {
            if (!HeaderTokens.IsTokenChar((char)b))
                return "header name is not a token";
        }

        var value = line[(colon + 1)..].Trim(" \t"u8);
        // RFC 9110 5.5: CR, LF or NUL in a field value is dangerous; a recipient MUST reject or replace it.
        if (HasCrOrNul(value))
            return "invalid character in a header value";

        builder?.Headers.Add(new(Encoding.Latin1.GetString(name), Encoding.Latin1.GetString(value)));
        return null;
    }

    // Any CR left after the line's own CRLF was stripped is a bare CR, which RFC 9112 2.2 says to reject or replace.
    private static bool HasCrOrNul(ReadOnlySpan<byte> text) => text.IndexOfAny((byte)'\r', (byte)0) >= 0;

    private static ReadOnlySpan<byte> Flatten(in ReadOnlySequence<byte> line, ref byte[]? scratch)
    {
        scratch ??= ArrayPool<byte>.Shared.Rent(MaxHeadLength);
        line.CopyTo(scratch);
        return scratch.AsSpan(0, (int)line.Length);
    }

    private sealed class HeadBuilder
    {
        public int StatusCode { get; set; }

        public string ReasonPhrase { get; set; } = "";

        public List<KeyValuePair<string, string>> Headers { get; } = [];
    }
}
