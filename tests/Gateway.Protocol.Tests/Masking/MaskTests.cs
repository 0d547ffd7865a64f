using Gateway.Protocol.Masking;
using static Gateway.Protocol.Tests.Frames.WireAssert;

namespace Gateway.Protocol.Tests.Masking;

/// <summary>RFC 6455 5.3 masking, against the RFC's example and a byte-by-byte reference.</summary>
public class MaskTests
{
    private const uint Key = 0x3d21fa37; // wire bytes 37 fa 21 3d (RFC 6455 5.7)

    [Fact]
    public void Masks_the_RFC_example()
    {
        byte[] data = "Hello"u8.ToArray();

        int offset = Mask.Apply(data, Key, 0);

        Assert.Equal("7F9F4D5158", Convert.ToHexString(data));
        Assert.Equal(1, offset);
    }

    [Fact]
    public void Masks_the_RFC_example_in_pieces()
    {
        byte[] data = "Hello"u8.ToArray();

        int offset = Mask.Apply(data.AsSpan(0, 3), Key, 0);
        offset = Mask.Apply(data.AsSpan(3), Key, offset);

        Assert.Equal("7F9F4D5158", Convert.ToHexString(data));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(31)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(127)]
    [InlineData(200)]
    [InlineData(4099)]
    public void Every_vector_width_matches_the_reference(int length)
    {
        byte[] payload = Frames.FrameDecoderRfcExampleTests.Payload(length);
        byte[] keyBytes = Hex("37 fa 21 3d");
        for (int offset = 0; offset < 4; offset++)
        {
            byte[] expected = ShiftedReference(payload, keyBytes, offset);
            var copied = new byte[length + 3];
            byte[] inPlace = payload.ToArray();

            int rolled = Mask.Apply(payload, copied, Key, offset);
            Mask.Apply(inPlace, Key, offset);

            Assert.Equal(expected, copied[..length]);
            Assert.Equal([0, 0, 0], copied[length..]); // nothing written past the source length
            Assert.Equal(expected, inPlace);
            Assert.Equal((offset + length) & 3, rolled);
        }
    }

    [Fact]
    public void Remask_is_unmask_then_mask()
    {
        byte[] masked = Hex("7f 9f 4d 51 58");
        var remasked = new byte[5];

        Mask.Remask(masked, remasked, Key, 0x01020304, 0);
        Mask.Apply(remasked, 0x01020304, 0);

        Assert.Equal("Hello"u8.ToArray(), remasked);
    }

    [Fact]
    public void Refuses_bad_arguments()
    {
        var data = new byte[8];
        Assert.Throws<ArgumentOutOfRangeException>(() => Mask.Apply(data, Key, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => Mask.Apply(data, Key, -1));
        Assert.Throws<ArgumentException>(() => Mask.Apply(data, new byte[7], Key, 0));
        Assert.Throws<ArgumentException>(() => Mask.Apply(data.AsSpan(0, 4), data.AsSpan(2), Key, 0));
        Mask.Apply(data, data, Key, 0); // the same memory is fine
    }

    private static byte[] ShiftedReference(byte[] payload, byte[] keyBytes, int offset) =>
        payload.Select((b, i) => (byte)(b ^ keyBytes[(i + offset) % 4])).ToArray();
}
