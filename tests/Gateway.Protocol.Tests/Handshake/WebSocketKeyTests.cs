using Gateway.Protocol.Handshake;

namespace Gateway.Protocol.Tests.Handshake;

public class WebSocketKeyTests
{
    [Fact]
    public void Generated_key_is_24_characters_of_base64_for_16_bytes()
    {
        var key = WebSocketKey.Generate();

        Assert.Equal(24, key.Length);
        Assert.Equal(16, Convert.FromBase64String(key).Length);
        Assert.True(WebSocketKey.IsValid(key));
    }

    [Fact]
    public void Generated_keys_differ_each_time()
    {
        var keys = Enumerable.Range(0, 1000).Select(_ => WebSocketKey.Generate()).ToHashSet();

        Assert.Equal(1000, keys.Count);
    }

    [Theory]
    [InlineData("dGhlIHNhbXBsZSBub25jZQ==")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA==")]
    [InlineData("/////////////////////w==")]
    [InlineData("++++++++++++++++++++++==")]
    public void Accepts_16_bytes_of_base64(string key)
    {
        Assert.True(WebSocketKey.IsValid(key));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("AAAAAAAAAAAAAAAAAAAA")]          // 15 bytes
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAA=")]      // 17 bytes, also 24 characters
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAA")]      // 18 bytes, 24 characters, no padding
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA")]        // 16 bytes without the padding
    [InlineData("dGhlIHNhbXBsZSBub25jZQ=")]       // padding cut short
    [InlineData("dGhlIHNhbXBsZSBub25jZQ==A")]     // trailing garbage
    [InlineData("dGhlIHNhbXBsZSBub25jZ!==")]      // not in the alphabet
    [InlineData("dGhlIHNhbXBsZSBub25jZ_==")]      // URL-safe alphabet is not base64 here
    [InlineData("dGhlIHNhbXBsZSBub25jZ-==")]
    [InlineData("dGhlIHNhbXBsZSBub25j ZQ==")]     // whitespace inside (Convert would skip it)
    [InlineData(" dGhlIHNhbXBsZSBub25jZQ==")]
    [InlineData("dGhlIHNhbXBsZSBub25jZQ== ")]
    [InlineData("dGhlIHNhbXBsZSBub25\tjZQ==")]
    [InlineData("dGhlIHNhbXBsZSBub25jZQ\r\n==")]
    [InlineData("dGhlIHNhbXBsZSBub25j=Q==")]      // padding in the middle
    public void Refuses_anything_else(string? key)
    {
        Assert.False(WebSocketKey.IsValid(key));
    }
}
