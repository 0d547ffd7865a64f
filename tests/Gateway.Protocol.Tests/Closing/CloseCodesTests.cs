using Gateway.Protocol.Closing;

namespace Gateway.Protocol.Tests.Closing;

public class CloseCodesTests
{
    [Fact]
    public void Wire_validity_over_the_whole_range()
    {
        // RFC 6455 7.4.1/7.4.2 and the IANA registry, spelled out independently of the implementation.
        int[] valid = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014];
        for (int code = 0; code <= ushort.MaxValue; code++)
        {
            bool expected = valid.Contains(code) || code is >= 3000 and <= 4999;
            Assert.True(expected == CloseCodes.IsValidOnWire((ushort)code), $"code {code}");
        }
    }

    [Fact]
    public void Reporting_only_codes_are_not_valid_on_the_wire()
    {
        Assert.False(CloseCodes.IsValidOnWire(CloseCodes.NoStatusReceived));
        Assert.False(CloseCodes.IsValidOnWire(CloseCodes.AbnormalClosure));
        Assert.False(CloseCodes.IsValidOnWire(CloseCodes.TlsHandshake));
    }
}
