using System.Security.Cryptography;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Gateway.Protocol.Handshake;

namespace Gateway.Protocol.Tests.Handshake;

public class WebSocketAcceptTests
{
    [Fact]
    public void Rfc6455_section_1_3_example()
    {
        Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", WebSocketAccept.Compute("dGhlIHNhbXBsZSBub25jZQ=="));
    }

    [Fact]
    public void Second_known_pair()
    {
        // A second widely published pair, so the test does not rest on one example.
        Assert.Equal("HSmrc0sMlYUkAGmm5OPpG2HaGWk=", WebSocketAccept.Compute("x3JJHMbDL1EzLkh9GBhXDw=="));
    }

    [Fact]
    public void Guid_is_the_one_of_rfc6455()
    {
        Assert.Equal("258EAFA5-E914-47DA-95CA-C5AB0DC85B11", WebSocketAccept.Guid);
    }

    [Fact]
    public void Matches_a_plain_reference_for_any_key_including_ones_too_long_for_the_stack_buffer()
    {
        var keys = ArbMap.Default.GeneratorFor<string>()
            .Where(k => k is not null)
            .Select(k => k + new string('k', k.Length % 3 == 0 ? 300 : 0));
        Prop.ForAll(keys.ToArbitrary(), key =>
            WebSocketAccept.Compute(key) == Reference(key)).QuickCheckThrowOnFailure();
    }

    private static string Reference(string key) =>
        Convert.ToBase64String(SHA1.HashData(Encoding.UTF8.GetBytes(key + WebSocketAccept.Guid)));
}
