using Gateway.Protocol.Text;
using static Gateway.Protocol.Tests.Frames.WireAssert;

namespace Gateway.Protocol.Tests.Text;

/// <summary>RFC 3629 strictness, boundary code points, and chunked validation at every split.</summary>
public class Utf8ValidatorTests
{
    [Theory]
    [InlineData("")]
    [InlineData("48 65 6c 6c 6f")]
    [InlineData("00 7F")]
    [InlineData("C2 80 DF BF")]              // U+0080, U+07FF
    [InlineData("E0 A0 80 EF BF BF")]        // U+0800, U+FFFF
    [InlineData("ED 9F BF EE 80 80")]        // U+D7FF, U+E000: either side of the surrogates
    [InlineData("F0 90 80 80 F4 8F BF BF")]  // U+10000, U+10FFFF
    [InlineData("CE BA E1 BD B9 CF 83 CE BC CE B5")] // "κόσμε"
    public void Valid(string hex) => AssertAtEverySplit(Hex(hex), expected: true);

    [Theory]
    [InlineData("80")]                       // lone continuation byte
    [InlineData("C0 80")]                    // overlong U+0000
    [InlineData("C1 BF")]                    // overlong U+007F
    [InlineData("E0 9F BF")]                 // overlong U+07FF
    [InlineData("F0 8F BF BF")]              // overlong U+FFFF
    [InlineData("ED A0 80")]                 // U+D800 (surrogate)
    [InlineData("ED BF BF")]                 // U+DFFF (surrogate)
    [InlineData("F4 90 80 80")]              // U+110000
    [InlineData("F5 80 80 80")]
    [InlineData("F8 88 80 80 80")]           // 5-byte form
    [InlineData("FE")]
    [InlineData("FF")]
    [InlineData("C2")]                       // truncated at the end
    [InlineData("E2 82")]
    [InlineData("F0 9F 98")]
    [InlineData("C2 41")]                    // sequence cut short by ASCII
    [InlineData("E2 82 AC 80")]              // one continuation too many
    [InlineData("41 42 43 44 45 46 47 48 49 4A 4B 4C 4D 4E 4F 50 E2 28 A1")]
    public void Invalid(string hex) => AssertAtEverySplit(Hex(hex), expected: false);

    [Theory]
    [InlineData("E0", "80")]                 // overlong
    [InlineData("ED", "A0")]                 // surrogate
    [InlineData("F0", "80")]                 // overlong
    [InlineData("F4", "90")]                 // above U+10FFFF
    [InlineData("E2 82", "41")]
    [InlineData("F0 9F", "98 41")]
    public void Fails_at_the_chunk_that_makes_a_sequence_uncompletable(string first, string second)
    {
        var validator = new Utf8Validator();

        Assert.True(validator.Validate(Hex(first), isFinal: false));
        Assert.False(validator.Validate(Hex(second), isFinal: false));
    }

    [Theory]
    [InlineData("C0")]
    [InlineData("C1")]
    [InlineData("F5")]
    [InlineData("41 FF")]
    public void Fails_at_a_byte_that_can_never_start_a_sequence(string hex)
    {
        var validator = new Utf8Validator();
        Assert.False(validator.Validate(Hex(hex), isFinal: false));
    }

    [Fact]
    public void Empty_final_chunk_reports_truncation()
    {
        var validator = new Utf8Validator();

        Assert.True(validator.Validate(Hex("41 F0 9F 98"), isFinal: false));
        Assert.True(validator.Validate([], isFinal: false));
        Assert.False(validator.Validate([], isFinal: true));
    }

    [Fact]
    public void Reset_forgets_a_pending_sequence()
    {
        var validator = new Utf8Validator();
        Assert.True(validator.Validate(Hex("E2"), isFinal: false));

        validator.Reset();

        Assert.True(validator.Validate(Hex("41"), isFinal: true));
    }

    private static void AssertAtEverySplit(byte[] text, bool expected)
    {
        Assert.Equal(expected, Utf8Validator.IsValid(text));
        for (int first = 0; first <= text.Length; first++)
        {
            for (int second = first; second <= text.Length; second++)
            {
                var validator = new Utf8Validator();
                bool valid = validator.Validate(text.AsSpan(0, first), isFinal: false)
                    && validator.Validate(text.AsSpan(first, second - first), isFinal: false)
                    && validator.Validate(text.AsSpan(second), isFinal: true);
                Assert.True(expected == valid, $"split at {first} and {second}");
            }
        }
    }
}
