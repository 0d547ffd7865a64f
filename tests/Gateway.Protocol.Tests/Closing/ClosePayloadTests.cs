using System.Text;
using Gateway.Protocol.Closing;
using static Gateway.Protocol.Tests.Frames.WireAssert;

namespace Gateway.Protocol.Tests.Closing;

/// <summary>RFC 6455 5.5.1 Close bodies: parsing every malformed shape, writing with safe truncation.</summary>
public class ClosePayloadTests
{
    [Fact]
    public void Empty_payload_means_no_status_received()
    {
        Assert.Null(ClosePayload.Parse([], out ushort code, out ReadOnlySpan<byte> reason));
        Assert.Equal(CloseCodes.NoStatusReceived, code);
        Assert.True(reason.IsEmpty);
    }

    [Fact]
    public void Code_and_reason()
    {
        Assert.Null(ClosePayload.Parse(Hex("03 E9 62 79 65"), out ushort code, out ReadOnlySpan<byte> reason));
        Assert.Equal(CloseCodes.GoingAway, code);
        Assert.Equal("bye", Encoding.UTF8.GetString(reason));
    }

    [Theory]
    [InlineData("03", "close.invalid_payload", 1002)]
    [InlineData("03 ED", "close.invalid_code", 1002)]          // 1005
    [InlineData("03 EE", "close.invalid_code", 1002)]          // 1006
    [InlineData("03 F7", "close.invalid_code", 1002)]          // 1015
    [InlineData("03 E7", "close.invalid_code", 1002)]          // 999
    [InlineData("13 88", "close.invalid_code", 1002)]          // 5000
    [InlineData("03 E8 C3 28", "close.invalid_reason", 1007)]
    [InlineData("03 E8 ED A0 80", "close.invalid_reason", 1007)]
    public void Malformed(string hex, string errorCode, int closeCode)
    {
        ProtocolError? error = ClosePayload.Parse(Hex(hex), out _, out ReadOnlySpan<byte> reason);

        Assert.NotNull(error);
        Assert.Equal(errorCode, error.Code);
        Assert.Equal(closeCode, error.CloseCode);
        Assert.True(reason.IsEmpty);
    }

    [Fact]
    public void Payload_over_125_bytes_is_a_control_frame_violation()
    {
        byte[] payload = [0x03, 0xE8, .. new byte[124]];
        Assert.Same(ProtocolError.ControlFrameTooLong, ClosePayload.Parse(payload, out _, out _));
    }

    [Fact]
    public void Writes_code_and_reason_round_trip()
    {
        var destination = new byte[2 + ClosePayload.MaxReasonBytes];

        int written = ClosePayload.Write(destination, CloseCodes.BadGateway, "upstream went away");

        Assert.Equal("03F6" + Convert.ToHexString("upstream went away"u8), Convert.ToHexString(destination, 0, written));
        Assert.Null(ClosePayload.Parse(destination.AsSpan(0, written), out ushort code, out _));
        Assert.Equal(CloseCodes.BadGateway, code);
    }

    [Fact]
    public void Truncates_a_long_reason_at_a_code_point_boundary()
    {
        // 122 ASCII bytes + a 3-byte euro sign: the euro would end at byte 125 > 123, so it is dropped whole.
        string reason = new string('a', 122) + "\u20AC" + "tail";
        byte[] utf8 = Encoding.UTF8.GetBytes(reason);
        var fromChars = new byte[2 + ClosePayload.MaxReasonBytes];
        var fromBytes = new byte[2 + ClosePayload.MaxReasonBytes];

        int charsWritten = ClosePayload.Write(fromChars, CloseCodes.NormalClosure, reason);
        int bytesWritten = ClosePayload.Write(fromBytes, CloseCodes.NormalClosure, utf8);

        Assert.Equal(2 + 122, charsWritten);
        Assert.Equal(fromChars, fromBytes);
        Assert.Null(ClosePayload.Parse(fromChars.AsSpan(0, charsWritten), out _, out _));
    }

    [Fact]
    public void Reason_of_exactly_123_bytes_is_kept()
    {
        string reason = new('r', ClosePayload.MaxReasonBytes);
        var destination = new byte[2 + ClosePayload.MaxReasonBytes];
        Assert.Equal(125, ClosePayload.Write(destination, CloseCodes.NormalClosure, reason));
        Assert.Equal(125, ClosePayload.Write(destination, CloseCodes.NormalClosure, Encoding.UTF8.GetBytes(reason)));
    }

    [Fact]
    public void Lone_surrogates_become_replacement_characters()
    {
        var destination = new byte[10];
        int written = ClosePayload.Write(destination, CloseCodes.NormalClosure, "a\uD800");
        Assert.Equal("03E8" + "61" + "EFBFBD", Convert.ToHexString(destination, 0, written));
    }

    [Fact]
    public void Refuses_what_would_be_an_invalid_close()
    {
        var destination = new byte[2 + ClosePayload.MaxReasonBytes];
        Assert.Throws<ArgumentOutOfRangeException>(() => ClosePayload.Write(destination, CloseCodes.NoStatusReceived, "x"));
        Assert.Throws<ArgumentOutOfRangeException>(() => ClosePayload.Write(destination, 5000, "x"u8));
        Assert.Throws<ArgumentException>(() => ClosePayload.Write(destination, 1000, Hex("C3 28")));
        Assert.Throws<ArgumentException>(() => ClosePayload.Write(new byte[1], 1000, ""));
        Assert.Throws<ArgumentException>(() => ClosePayload.Write(new byte[5], 1000, "four"));
        Assert.Throws<ArgumentException>(() => ClosePayload.Write(new byte[5], 1000, "four"u8));
        Assert.Equal(6, ClosePayload.Write(new byte[6], 1000, "four")); // an exact fit is fine
    }
}
