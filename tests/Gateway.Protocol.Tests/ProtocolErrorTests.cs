using System.Reflection;
using System.Text;

namespace Gateway.Protocol.Tests;

public class ProtocolErrorTests
{
    [Fact]
    public void All_lists_every_error_once()
    {
        ProtocolError[] declared = typeof(ProtocolError)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(ProtocolError))
            .Select(f => (ProtocolError)f.GetValue(null)!)
            .ToArray();

        Assert.Equal(declared.Length, ProtocolError.All.Count);
        Assert.Equal(declared.ToHashSet(), ProtocolError.All.ToHashSet());
        Assert.Equal(declared.Length, declared.Select(e => e.Code).Distinct().Count());
    }

    [Fact]
    public void Every_message_fits_in_a_close_reason()
    {
        foreach (ProtocolError error in ProtocolError.All)
        {
            Assert.InRange(Encoding.UTF8.GetByteCount(error.Message), 1, 123);
            Assert.Matches("^[a-z0-9]+\\.[a-z0-9_]+$", error.Code);
            Assert.Contains(error.CloseCode, new ushort[] { 1002, 1007, 1008, 1009 });
        }
    }

    [Fact]
    public void Close_codes_follow_RFC_6455_7_4_1()
    {
        Assert.Equal(1007, ProtocolError.InvalidUtf8.CloseCode);
        Assert.Equal(1007, ProtocolError.InvalidCloseReason.CloseCode);
        Assert.Equal(1009, ProtocolError.FrameTooLarge.CloseCode);
        Assert.Equal(1009, ProtocolError.MessageTooLarge.CloseCode);
        Assert.Equal(1002, ProtocolError.UnmaskedFrame.CloseCode);
        Assert.Equal(1008, ProtocolError.MessageRateExceeded.CloseCode);
        Assert.Equal("limit.message_rate", ProtocolError.MessageRateExceeded.Code);
    }

    [Fact]
    public void ToString_reads_code_close_and_message() =>
        Assert.Equal("frame.unmasked (close 1002): client frames must be masked", ProtocolError.UnmaskedFrame.ToString());
}
