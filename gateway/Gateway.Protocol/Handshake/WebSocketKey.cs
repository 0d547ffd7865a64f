using System.Security.Cryptography;

namespace Gateway.Protocol.Handshake;

/// <summary>The Sec-WebSocket-Key nonce (RFC 6455 4.1 item 7, 4.2.1 item 4).</summary>
public static class WebSocketKey
{
    /// <summary>The nonce is 16 bytes (RFC 6455 4.1 item 7).</summary>
    public const int NonceLength = 16;

    /// <summary>Base64 of 16 bytes with its padding: 4 * ceil(16 / 3) = 24 characters ending in "==".</summary>
    public const int EncodedLength = 24;

    /// <summary>16 random bytes, base64 (RFC 6455 4.1: a fresh random nonce for every connection).</summary>
    public static string Generate()
    {
        Span<byte> nonce = stackalloc byte[NonceLength];
        RandomNumberGenerator.Fill(nonce);
        return Convert.ToBase64String(nonce);
    }

    /// <summary>True if the value is base64 that decodes to exactly 16 bytes (RFC 6455 4.2.1 item 4).</summary>
    /// <remarks>
    /// Stricter than <see cref="Convert.TryFromBase64String"/>, which skips whitespace anywhere: the key must be
    /// exactly the 24 characters of padded base64 (RFC 4648 section 4), as every real client sends it.
    /// </remarks>
    public static bool IsValid(string? key)
    {
        if (key is null || key.Length != EncodedLength || key[^1] != '=' || key[^2] != '=')
            return false;
        foreach (var c in key.AsSpan(0, EncodedLength - 2))
        {
            if (!IsBase64Alphabet(c))
                return false;
        }
        Span<byte> decoded = stackalloc byte[NonceLength + 2];
        return Convert.TryFromBase64String(key, decoded, out var written) && written == NonceLength;
    }

    private static bool IsBase64Alphabet(char c) =>
        char.IsAsciiLetterOrDigit(c) || c == '+' || c == '/';
}
