using System.Buffers;
using Gateway.Protocol.Frames;
using Gateway.Testing.Frames;
using static Gateway.Protocol.Tests.Frames.WireAssert;

namespace Gateway.Protocol.Tests.Frames;

/// <summary>
/// Message-level rules: UTF-8 across frame boundaries (RFC 6455 8.1), Close payloads (5.5.1, 7.4), the liberal
/// reading of non-minimal lengths, and the decoder's own state (sticky errors, Reset, misuse).
/// </summary>
public class FrameDecoderMessageTests
{
    [Theory]
    [InlineData("81 02 C3 28", "")]                            // invalid continuation byte
    [InlineData("81 02 E2 82", "")]                            // truncated at the end of the message
    [InlineData("01 01 E2 80 01 28", "Text more E2")]          // lead in one frame, bad byte in the next
    [InlineData("01 01 E2 80 01 82", "Text more E2")]          // truncated at the end of the final fragment
    [InlineData("01 02 48 E2 80 00", "Text more 48E2")]        // ...and when the final fragment is empty
    [InlineData("01 01 48 80 02 ED A0", "Text more 48")]       // surrogate
    [InlineData("81 02 C0 AF", "")]                            // overlong '/'
    [InlineData("81 04 F4 90 80 80", "")]                      // above U+10FFFF
    public void Invalid_text(string hex, string before) =>
        Fails(Hex(hex), ProtocolError.InvalidUtf8, "utf8.invalid", 1007, framesBefore: before);

    [Fact]
    public void Text_is_validated_before_the_message_ends()
    {
        // The bad byte is in the first fragment of a message that never finishes: fail now, not at the end.
        Fails(Hex("01 02 48 FF"), ProtocolError.InvalidUtf8, "utf8.invalid", 1007);
    }

    [Fact]
    public void Code_point_split_across_frames_with_a_ping_between() =>
        Decodes(Hex("01 01 E2 89 01 41 80 02 82 AC"), "Text more E2; Ping 41; Continuation 82AC");

    [Fact]
    public void Binary_is_not_validated_as_text() =>
        Decodes(Hex("82 02 C3 28"), "Binary C328");

    [Fact]
    public void Masked_text_is_validated_after_unmasking()
    {
        byte[] euro = [0xE2, 0x82, 0xAC];
        Decodes(RawFrame.Masked(true, 1, euro, [0xFF, 0x00, 0x55, 0xAA]), "Text E282AC", Role.Server);
    }

    [Theory]
    [InlineData("88 00", "Close ")]
    [InlineData("88 02 03 E8", "Close 03E8")]                 // 1000
    [InlineData("88 04 0B B8 68 69", "Close 0BB86869")]       // 3000 "hi"
    [InlineData("88 02 13 87", "Close 1387")]                 // 4999
    public void Valid_close(string hex, string expected) => Decodes(Hex(hex), expected);

    [Fact]
    public void Close_with_a_one_byte_payload() => // RFC 6455 5.5.1
        Fails(Hex("88 01 03"), ProtocolError.InvalidClosePayload, "close.invalid_payload", 1002);

    [Theory]
    [InlineData(0)]
    [InlineData(999)]
    [InlineData(1004)]
    [InlineData(1005)]
    [InlineData(1006)]
    [InlineData(1015)]
    [InlineData(1016)]
    [InlineData(2999)]
    [InlineData(5000)]
    [InlineData(65535)]
    public void Close_with_a_code_not_allowed_on_the_wire(int code) => // RFC 6455 7.4
        Fails(RawFrame.Build(true, 8, [(byte)(code >> 8), (byte)code]), ProtocolError.InvalidCloseCode,
            "close.invalid_code", 1002);

    [Fact]
    public void Close_with_an_invalid_reason() => // RFC 6455 5.5.1
        Fails(Hex("88 04 03 E8 C3 28"), ProtocolError.InvalidCloseReason, "close.invalid_reason", 1007);

    [Theory]
    [InlineData("81 7E 0005 48 65 6c 6c 6f")]
    [InlineData("81 7F 0000000000000005 48 65 6c 6c 6f")]
    public void Non_minimal_length_encodings_are_accepted(string hex) => // liberal: see ProtocolError.InvalidLength
        Decodes(Hex(hex), "Text 48656C6C6F");

    [Fact]
    public void Control_frame_with_a_non_minimal_length_of_125_or_less_is_accepted() =>
        Decodes(Hex("89 7E 0001 41"), "Ping 41");

    [Fact]
    public void Control_frame_of_exactly_125_bytes() =>
        Decodes(RawFrame.Build(true, 9, new byte[125]), "Ping " + new string('0', 250));

    [Fact]
    public void Errors_are_sticky_until_reset()
    {
        var decoder = new FrameDecoder(Role.Client, FrameLimits.Default);
        var bad = new ReadOnlySequence<byte>(Hex("C1 00"));
        var good = new ReadOnlySequence<byte>(Hex("81 00"));

        Assert.Equal(DecodeStatus.Error, decoder.TryReadHeader(bad, out _, out _, out _, out _));
        Assert.Equal(DecodeStatus.Error, decoder.TryReadHeader(good, out _, out _, out _, out ProtocolError? again));
        Assert.Same(ProtocolError.ReservedBits, again);

        decoder.Reset();
        Assert.Equal(DecodeStatus.Done, decoder.TryReadHeader(good, out _, out _, out _, out _));
    }

    [Fact]
    public void Reset_forgets_a_fragmented_message()
    {
        var decoder = new FrameDecoder(Role.Client, FrameLimits.Default);
        Assert.Equal("Text more 48", FrameReader.Read(decoder, Hex("01 01 48"), []).Summary);
        Assert.True(decoder.InTextMessage);

        decoder.Reset();

        Assert.False(decoder.InTextMessage);
        Assert.Equal("Binary 48", FrameReader.Read(decoder, Hex("82 01 48"), []).Summary);
    }

    [Fact]
    public void InTextMessage_lasts_until_the_end_of_the_final_fragment()
    {
        var decoder = new FrameDecoder(Role.Client, FrameLimits.Default);
        Assert.False(decoder.InTextMessage);

        ReadHeader(decoder, "01 01");
        Assert.True(decoder.InTextMessage);
        Assert.Null(decoder.ValidatePayload([0x48], endOfFrame: true));

        ReadHeader(decoder, "89 00"); // a control frame between fragments
        Assert.True(decoder.InTextMessage);
        Assert.Null(decoder.ValidatePayload([0xFF], endOfFrame: true)); // control payloads are not text

        ReadHeader(decoder, "80 01");
        Assert.True(decoder.InTextMessage);
        Assert.Null(decoder.ValidatePayload([0x49], endOfFrame: true));
        Assert.False(decoder.InTextMessage);

        ReadHeader(decoder, "82 01");
        Assert.False(decoder.InTextMessage);
        Assert.Null(decoder.ValidatePayload([0xFF], endOfFrame: true));
    }

    [Fact]
    public void Reading_a_header_before_ending_the_previous_text_frame_is_a_caller_bug()
    {
        var decoder = new FrameDecoder(Role.Client, FrameLimits.Default);
        ReadHeader(decoder, "81 01");

        var next = new ReadOnlySequence<byte>(Hex("81 00"));
        Assert.Throws<InvalidOperationException>(() => decoder.TryReadHeader(next, out _, out _, out _, out _));
    }

    [Fact]
    public void Validating_text_with_no_frame_open_is_a_caller_bug()
    {
        var decoder = new FrameDecoder(Role.Client, FrameLimits.Default);
        ReadHeader(decoder, "01 01");
        Assert.Null(decoder.ValidatePayload([0x48], endOfFrame: true));

        Assert.Throws<InvalidOperationException>(() => decoder.ValidatePayload([0x48], endOfFrame: true));
    }

    [Fact]
    public void Empty_buffer_needs_more_data()
    {
        var decoder = new FrameDecoder(Role.Server, FrameLimits.Default);

        DecodeStatus status = decoder.TryReadHeader(ReadOnlySequence<byte>.Empty, out _, out SequencePosition consumed,
            out SequencePosition examined, out ProtocolError? error);

        Assert.Equal(DecodeStatus.NeedMoreData, status);
        Assert.Null(error);
        Assert.Equal(ReadOnlySequence<byte>.Empty.Start, consumed);
        Assert.Equal(ReadOnlySequence<byte>.Empty.End, examined);
    }

    [Fact]
    public void Negative_limits_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new FrameDecoder(Role.Client, new FrameLimits(-1, 10)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FrameDecoder(Role.Client, new FrameLimits(10, -1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FrameDecoder((Role)7, FrameLimits.Default));
    }

    private static void ReadHeader(FrameDecoder decoder, string hex)
    {
        var buffer = new ReadOnlySequence<byte>(Hex(hex));
        Assert.Equal(DecodeStatus.Done, decoder.TryReadHeader(buffer, out _, out _, out _, out _));
    }
}
