using Gateway.Protocol.Frames;
using Gateway.Testing.Frames;
using static Gateway.Protocol.Tests.Frames.WireAssert;

namespace Gateway.Protocol.Tests.Frames;

/// <summary>Every header rule of RFC 6455 5.1-5.5 and the limits, with its error code and close code.</summary>
public class FrameDecoderViolationTests
{
    private static readonly byte[] Key = [0x37, 0xfa, 0x21, 0x3d];

    [Fact]
    public void Server_rejects_an_unmasked_frame() => // RFC 6455 5.1
        Fails(Hex("81 05 48 65 6c 6c 6f"), ProtocolError.UnmaskedFrame, "frame.unmasked", 1002, Role.Server);

    [Fact]
    public void Client_rejects_a_masked_frame() => // RFC 6455 5.1
        Fails(Hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"), ProtocolError.MaskedFrame, "frame.masked", 1002, Role.Client);

    [Theory]
    [InlineData("C1 00")] // RSV1
    [InlineData("A1 00")] // RSV2
    [InlineData("91 00")] // RSV3
    [InlineData("F2 00")]
    [InlineData("C9 00")] // on a control frame too
    public void Reserved_bits_without_an_extension(string hex) => // RFC 6455 5.2
        Fails(Hex(hex), ProtocolError.ReservedBits, "frame.reserved_bits", 1002);

    [Theory]
    [InlineData(0x3)]
    [InlineData(0x4)]
    [InlineData(0x5)]
    [InlineData(0x6)]
    [InlineData(0x7)]
    [InlineData(0xB)]
    [InlineData(0xC)]
    [InlineData(0xD)]
    [InlineData(0xE)]
    [InlineData(0xF)]
    public void Reserved_opcodes(int opcode) => // RFC 6455 5.2
        Fails(RawFrame.Build(true, opcode, [1, 2, 3]), ProtocolError.ReservedOpcode, "frame.reserved_opcode", 1002);

    [Theory]
    [InlineData(0x8)]
    [InlineData(0x9)]
    [InlineData(0xA)]
    public void Control_frame_over_125_bytes(int opcode) => // RFC 6455 5.5
        Fails(RawFrame.Build(true, opcode, new byte[126]), ProtocolError.ControlFrameTooLong,
            "frame.control_too_long", 1002);

    [Fact]
    public void Control_frame_announcing_a_huge_length_fails_from_the_header_alone() =>
        Fails(Hex("89 7F 0000010000000000"), ProtocolError.ControlFrameTooLong, "frame.control_too_long", 1002);

    [Theory]
    [InlineData("08 00")]
    [InlineData("09 00")]
    [InlineData("0A 00")]
    public void Fragmented_control_frame(string hex) => // RFC 6455 5.5
        Fails(Hex(hex), ProtocolError.ControlFrameFragmented, "frame.control_fragmented", 1002);

    [Theory]
    [InlineData("80 02 6c 6f")]
    [InlineData("00 02 6c 6f")]
    [InlineData("81 01 48 80 01 65")] // after a complete message
    public void Continuation_without_a_message_to_continue(string hex) // RFC 6455 5.4
    {
        byte[] wire = Hex(hex);
        string before = wire.Length > 4 ? "Text 48" : "";
        Fails(wire, ProtocolError.UnexpectedContinuation, "frame.unexpected_continuation", 1002,
            framesBefore: before);
    }

    [Theory]
    [InlineData("01 01 48 81 01 65", "Text more 48")]
    [InlineData("01 01 48 82 01 65", "Text more 48")]
    [InlineData("02 01 48 01 01 65", "Binary more 48")]
    [InlineData("01 01 48 89 00 02 00", "Text more 48; Ping ")] // a control frame in between changes nothing
    public void New_data_message_inside_a_fragmented_one(string hex, string before) => // RFC 6455 5.4
        Fails(Hex(hex), ProtocolError.ExpectedContinuation, "frame.expected_continuation", 1002, framesBefore: before);

    [Theory]
    [InlineData("82 7F 8000000000000000")]
    [InlineData("82 7F FFFFFFFFFFFFFFFF")]
    public void Sixty_four_bit_length_with_the_most_significant_bit_set(string hex) => // RFC 6455 5.2
        Fails(Hex(hex), ProtocolError.InvalidLength, "frame.invalid_length", 1002, limits: FrameLimits.Unlimited);

    [Fact]
    public void Frame_over_the_limit_fails_from_the_header_before_any_payload()
    {
        // Only the header is on the wire: the decoder must not wait for (or size anything by) the payload.
        byte[] header = Hex("82 7E 0065"); // 101 bytes announced
        Fails(header, ProtocolError.FrameTooLarge, "limit.frame_size", 1009, limits: new FrameLimits(100, 1000));
    }

    [Fact]
    public void Frame_at_the_limit_is_accepted() =>
        Decodes(RawFrame.Build(true, 2, new byte[100]), "Binary " + new string('0', 200),
            limits: new FrameLimits(100, 1000));

    [Fact]
    public void Message_over_the_limit_fails_at_the_fragment_that_crosses_it()
    {
        byte[] wire = RawFrame.Concat(
            RawFrame.Build(false, 2, new byte[60]),
            RawFrame.Build(true, 0x9, []),          // control frames do not count toward the message
            RawFrame.Build(false, 0, new byte[40]), // 100: exactly at the limit
            RawFrame.Build(true, 0, new byte[1]));
        string zeros60 = new('0', 120), zeros40 = new('0', 80);
        Fails(wire, ProtocolError.MessageTooLarge, "limit.message_size", 1009, limits: new FrameLimits(100, 100),
            framesBefore: $"Binary more {zeros60}; Ping ; Continuation more {zeros40}");
    }

    [Fact]
    public void Message_size_starts_again_with_each_message()
    {
        byte[] wire = RawFrame.Concat(RawFrame.Build(true, 2, new byte[80]), RawFrame.Build(true, 1, new byte[80]));
        string zeros = new('0', 160);
        Decodes(wire, $"Binary {zeros}; Text {zeros}", limits: new FrameLimits(100, 100));
    }

    [Fact]
    public void Message_limit_applies_to_a_single_frame_message() =>
        Fails(Hex("82 7E 0100"), ProtocolError.MessageTooLarge, "limit.message_size", 1009,
            limits: new FrameLimits(1000, 255));

    [Fact]
    public void Several_violations_report_the_first_in_wire_order()
    {
        // Each pair breaks a first-byte rule and the second byte's mask rule: the first byte's rule wins, however
        // the bytes are split, so the same bytes always give the same close.
        Fails(Hex("C1 05 48 65 6c 6c 6f"), ProtocolError.ReservedBits, "frame.reserved_bits", 1002, Role.Server);
        Fails(RawFrame.Build(true, 0x3, [1]), ProtocolError.ReservedOpcode, "frame.reserved_opcode", 1002,
            Role.Server);
        Fails(RawFrame.Masked(true, 0x0, [1], Key), ProtocolError.UnexpectedContinuation,
            "frame.unexpected_continuation", 1002, Role.Client);
        // The mask rule (second byte) before the control length (extended length).
        Fails(RawFrame.Build(true, 0x9, new byte[126]), ProtocolError.UnmaskedFrame, "frame.unmasked", 1002,
            Role.Server);
    }
}
