using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Gateway.LoadTool.Soak;

/// The soak's messages. Everything about message `seq` of session `session` (text or binary, its length, every
/// byte) follows from the pair, so the reader rebuilds what it expects and compares byte for byte; the payload
/// still carries the session id, the sequence number and an FNV-1a checksum of its body, so a stray or damaged
/// echo says what it is. Text bodies mix 2-, 3- and 4-byte UTF-8 characters in with ASCII, so a proxy that
/// re-fragments a message has characters split across its frames.
internal static class SoakPayload
{
    /// Text header: "S" + 8 hex digits of the session, "Q" + 16 of the sequence, "C" + 8 of the checksum, "|".
    public const int TextHeaderLength = 36;
    /// Binary header: session (4 bytes), sequence (8), checksum (4), big-endian.
    public const int BinaryHeaderLength = 16;

    private static readonly byte[][] Characters =
        [.. new[] { "a", "b", "c", "d", "e", "f", " ", "é", "ß", "€", "中", "😀" }.Select(Encoding.UTF8.GetBytes)];

    /// Whether the message is binary, and its payload length: mostly small, some kilobytes, a few large ones
    /// (which the gateway forwards in pieces).
    public static (bool Binary, int Length) ShapeOf(int session, long seq)
    {
        ulong state = Seed(session, seq);
        ulong draw = Next(ref state);
        bool binary = (draw & 1) == 0;
        int bucket = (int)((draw >> 1) % 1000);
        int length = bucket switch
        {
            < 700 => 16 + (int)(Next(ref state) % 240),
            < 950 => 256 + (int)(Next(ref state) % 3840),
            < 995 => 4096 + (int)(Next(ref state) % 28672),
            _ => 65536 + (int)(Next(ref state) % 65536),
        };
        return (binary, Math.Max(length, binary ? BinaryHeaderLength : TextHeaderLength));
    }

    public static byte[] Build(int session, long seq, out bool binary)
    {
        (binary, int length) = ShapeOf(session, seq);
        var payload = new byte[length];
        int headerLength = binary ? BinaryHeaderLength : TextHeaderLength;
        var body = payload.AsSpan(headerLength);
        ulong state = Seed(session, seq) ^ 0x9E3779B97F4A7C15;
        if (binary)
        {
            for (int i = 0; i < body.Length; i++)
            {
                body[i] = (byte)Next(ref state);
            }

            BinaryPrimitives.WriteInt32BigEndian(payload, session);
            BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(4), seq);
            BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(12), Fnv1a(body));
        }
        else
        {
            for (int at = 0; at < body.Length;)
            {
                var character = Characters[(int)(Next(ref state) % (ulong)Characters.Length)];
                character = character.Length <= body.Length - at ? character : Characters[0];
                character.CopyTo(body[at..]);
                at += character.Length;
            }

            Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"S{session:x8}Q{seq:x16}C{Fnv1a(body):x8}|"), payload);
        }

        return payload;
    }

    /// The sequence number an echo claims (-1 when its header is unreadable), and whether the echo is exactly
    /// message `seq` of `session`: same kind, header, checksum and every byte.
    public static bool Check(int session, bool binary, ReadOnlySpan<byte> payload, out long seq)
    {
        seq = -1;
        if (binary && payload.Length >= BinaryHeaderLength)
        {
            seq = BinaryPrimitives.ReadInt64BigEndian(payload[4..]);
        }
        else if (!binary && payload.Length >= TextHeaderLength && payload[0] == 'S' && payload[9] == 'Q' &&
            long.TryParse(Encoding.ASCII.GetString(payload.Slice(10, 16)), NumberStyles.AllowHexSpecifier,
                CultureInfo.InvariantCulture, out long parsed))
        {
            seq = parsed;
        }

        if (seq < 0)
        {
            return false;
        }

        var expected = Build(session, seq, out bool expectedBinary);
        return expectedBinary == binary && payload.SequenceEqual(expected);
    }

    private static uint Fnv1a(ReadOnlySpan<byte> data)
    {
        uint hash = 2166136261;
        foreach (byte b in data)
        {
            hash = (hash ^ b) * 16777619;
        }

        return hash;
    }

    /// splitmix64 of the pair: neighbouring sequence numbers get unrelated streams.
    private static ulong Seed(int session, long seq)
    {
        ulong z = ((ulong)(uint)session << 40) ^ (ulong)seq;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return (z ^ (z >> 31)) | 1;
    }

    /// xorshift64*.
    private static ulong Next(ref ulong state)
    {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        return state * 0x2545F4914F6CDD1D;
    }
}
