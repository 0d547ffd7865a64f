using System.Security.Cryptography;
using System.Text;

namespace Gateway.Protocol.Handshake;

/// <summary>The server's proof that it read the client's key (RFC 6455 1.3, 4.2.2 item 5.4).</summary>
public static class WebSocketAccept
{
    /// <summary>The fixed GUID every WebSocket endpoint appends to the key (RFC 6455 1.3).</summary>
    public const string Guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    // A valid key is 24 characters, so key + GUID is 60 bytes; this leaves room for odd keys before falling back
    // to the heap.
    private const int StackBufferSize = 256;

    // SHA-1 is 20 bytes; base64 of 20 bytes is 4 * ceil(20 / 3) = 28 characters.
    private const int AcceptLength = 28;

    /// <summary>
    /// base64(SHA-1(key + GUID)) (RFC 6455 4.2.2 / 1.3); "dGhlIHNhbXBsZSBub25jZQ==" -> "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=".
    /// </summary>
    public static string Compute(string key)
    {
        ArgumentNullException.ThrowIfNull(key);

        // The key is base64 (ASCII) in practice; UTF-8 keeps any other input deterministic instead of lossy.
        var inputLength = Encoding.UTF8.GetByteCount(key) + Guid.Length;
        Span<byte> input = inputLength <= StackBufferSize ? stackalloc byte[StackBufferSize] : new byte[inputLength];
        var written = Encoding.UTF8.GetBytes(key, input);
        written += Encoding.ASCII.GetBytes(Guid, input[written..]);

        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
        SHA1.HashData(input[..written], hash);

        Span<char> accept = stackalloc char[AcceptLength];
        Convert.TryToBase64Chars(hash, accept, out var charsWritten);
        return new string(accept[..charsWritten]);
    }
}
