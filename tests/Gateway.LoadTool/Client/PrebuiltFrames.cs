using Gateway.Protocol.Frames;
using Gateway.Protocol.Masking;

namespace Gateway.LoadTool.Client;

/// Client frames built once and sent as they are: the tool spends nothing per message on encoding or masking.
public static class PrebuiltFrames
{
    /// A masked Close with status 1000 (RFC 6455 7.4.1).
    public static byte[] Close { get; } = Build(Opcode.Close, [0x03, 0xE8], 1);

    /// `count` copies of one masked message of `payloadLength` bytes: ASCII text, or pseudo-random binary.
    public static byte[] Messages(int payloadLength, bool binary, int count)
    {
        var payload = new byte[payloadLength];
        if (binary)
        {
            new Random(6455).NextBytes(payload);
        }
        else
        {
            for (int i = 0; i < payload.Length; i++)
            {
                payload[i] = (byte)('a' + i % 26);
            }
        }

        return Build(binary ? Opcode.Binary : Opcode.Text, payload, count);
    }

    public static int FrameLength(int payloadLength) => FrameEncoder.GetHeaderLength(payloadLength, masked: true) + payloadLength;

    private static byte[] Build(Opcode opcode, byte[] payload, int count)
    {
        int frameLength = FrameLength(payload.Length);
        var frames = new byte[frameLength * count];
        uint key = (uint)Random.Shared.Next() | 0x01010101;
        for (int i = 0; i < count; i++)
        {
            var frame = frames.AsSpan(i * frameLength, frameLength);
            int header = FrameEncoder.WriteHeader(frame, fin: true, opcode, payload.Length, masked: true, key);
            Mask.Apply(payload, frame[header..], key, 0);
        }

        return frames;
    }
}
