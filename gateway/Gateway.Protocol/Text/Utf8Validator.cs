using System.Text.Unicode;

namespace Gateway.Protocol.Text;

/// <summary>
/// Incremental strict UTF-8 validator (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF) for text
/// that arrives in chunks (RFC 6455 8.1 requires text messages to be valid UTF-8, and the relay never buffers a
/// whole message). The only state kept between chunks is a code point cut by a chunk edge.
/// </summary>
/// <remarks>
/// Fast path: everything but an incomplete code point at the end of a chunk goes to
/// <see cref="Utf8.IsValid(ReadOnlySpan{byte})"/>, the runtime's vectorized validator (which races through ASCII
/// runs). Only the at most 3 bytes on either side of a chunk edge go through the byte-by-byte rules below, the
/// RFC 3629 section 4 table: the lead byte fixes the sequence length and the allowed range of the first
/// continuation byte, which is what excludes overlongs (E0, F0), surrogates (ED) and values above U+10FFFF (F4).
/// Checking each byte against its range as it arrives means a sequence that can no longer be completed fails at
/// once, not at the end of the message.
/// </remarks>
public struct Utf8Validator
{
    private const byte ContinuationMin = 0x80;
    private const byte ContinuationMax = 0xBF;

    private int _remaining; // continuation bytes still due for a code point cut by the previous chunk's end
    private byte _nextMin;  // allowed range of the next continuation byte
    private byte _nextMax;

    /// <summary>
    /// Validates the next chunk. Returns false on the first invalid byte (including a sequence that can no longer
    /// be completed); with <paramref name="isFinal"/> also when the text ends inside a sequence. After false the
    /// state is meaningless until <see cref="Reset"/>.
    /// </summary>
    public bool Validate(ReadOnlySpan<byte> chunk, bool isFinal)
    {
        int start = 0;
        for (; _remaining != 0; start++)
        {
            if (start == chunk.Length)
            {
                return !isFinal;
            }

            if (!Continue(chunk[start]))
            {
                return false;
            }
        }

        ReadOnlySpan<byte> rest = chunk.Slice(start);
        int tail = IncompleteTailStart(rest);
        if (!Utf8.IsValid(rest.Slice(0, tail)))
        {
            return false;
        }

        if (tail == rest.Length)
        {
            return true;
        }

        if (!Begin(rest[tail]))
        {
            return false;
        }

        for (int i = tail + 1; i < rest.Length; i++)
        {
            if (!Continue(rest[i]))
            {
                return false;
            }
        }

        return !isFinal; // by construction the tail is still incomplete
    }

    public void Reset() => this = default;

    /// <summary>Whole-message fast path.</summary>
    public static bool IsValid(ReadOnlySpan<byte> text) => Utf8.IsValid(text);

    /// <summary>
    /// Where a code point that the chunk's end cuts short begins (the chunk length if none): the last non-continuation
    /// byte among the final 3, if the sequence its lead byte announces runs past the end.
    /// </summary>
    private static int IncompleteTailStart(ReadOnlySpan<byte> chunk)
    {
        int end = chunk.Length;
        for (int i = end - 1; i >= 0 && i >= end - 3; i--)
        {
            byte b = chunk[i];
            if ((b & 0xC0) != 0x80)
            {
                int announced = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
                return i + announced > end ? i : end;
            }
        }

        return end; // stray continuation bytes, or a complete 4-byte sequence: Utf8.IsValid judges them
    }

    /// <summary>Starts a multi-byte sequence (RFC 3629 section 4); false for bytes that cannot lead one.</summary>
    private bool Begin(byte lead)
    {
        (_remaining, _nextMin, _nextMax) = lead switch
        {
            >= 0xC2 and <= 0xDF => (1, ContinuationMin, ContinuationMax),
            0xE0 => (2, (byte)0xA0, ContinuationMax),                      // excludes overlong 3-byte forms
            >= 0xE1 and <= 0xEC or 0xEE or 0xEF => (2, ContinuationMin, ContinuationMax),
            0xED => (2, ContinuationMin, (byte)0x9F),                      // excludes surrogates D800-DFFF
            0xF0 => (3, (byte)0x90, ContinuationMax),                      // excludes overlong 4-byte forms
            >= 0xF1 and <= 0xF3 => (3, ContinuationMin, ContinuationMax),
            0xF4 => (3, ContinuationMin, (byte)0x8F),                      // excludes values above U+10FFFF
            _ => (0, (byte)0, (byte)0),                                    // C0, C1, F5-FF never start one
        };
        return _remaining != 0;
    }

    private bool Continue(byte b)
    {
        if (b < _nextMin || b > _nextMax)
        {
            return false;
        }

        _remaining--;
        _nextMin = ContinuationMin;
        _nextMax = ContinuationMax;
        return true;
    }
}
