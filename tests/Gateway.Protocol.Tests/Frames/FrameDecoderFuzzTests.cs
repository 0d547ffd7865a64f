using Gateway.Protocol.Frames;

namespace Gateway.Protocol.Tests.Frames;

/// <summary>
/// Random and mutated byte streams (fixed seeds, bounded counts): the decoder only ever reports its own protocol
/// errors, always makes progress (FrameReader asserts each header read either consumes 2..14 bytes, asks for more
/// with nothing consumed, or errors), and the outcome does not depend on how the bytes are chunked.
/// </summary>
public class FrameDecoderFuzzTests
{
    private const int RandomStreams = 1500;
    private const int MutatedStreams = 600;
    private const int ChunkingsPerStream = 3;

    [Fact]
    public void Random_streams()
    {
        var random = new Random(20_111_2011);
        for (int i = 0; i < RandomStreams; i++)
        {
            var wire = new byte[random.Next(0, 64)];
            random.NextBytes(wire);
            if (wire.Length > 0 && random.Next(2) == 0)
            {
                wire[0] &= 0x8F; // clear RSV half the time, or nearly every stream would stop at the first byte
            }

            AssertConsistent(wire, random, i % 2 == 0 ? Role.Server : Role.Client);
        }
    }

    [Fact]
    public void Mutated_valid_streams()
    {
        var random = new Random(6455);
        for (int i = 0; i < MutatedStreams; i++)
        {
            Role sender = i % 2 == 0 ? Role.Client : Role.Server;
            byte[] wire = Mutate(FrameSequences.Encode(FrameSequences.Random(random), sender), random);
            AssertConsistent(wire, random, FrameSequences.Receiver(sender));
        }
    }

    private static void AssertConsistent(byte[] wire, Random random, Role role)
    {
        // Small limits so random lengths often hit them, and so nothing here can grow large.
        var limits = new FrameLimits(MaxFrameSize: 100_000, MaxMessageSize: 150_000);
        ReadResult whole = FrameReader.Read(wire, role, limits);
        if (whole.Error is not null)
        {
            Assert.Contains(whole.Error, ProtocolError.All);
        }

        for (int c = 0; c < ChunkingsPerStream; c++)
        {
            int[] cuts = Gateway.Testing.Buffers.SequenceBuilder.RandomCuts(wire.Length, random, 1 + random.Next(20));
            Assert.Equal(whole.Summary, FrameReader.Read(wire, cuts, role, limits).Summary);
        }
    }

    private static byte[] Mutate(byte[] wire, Random random)
    {
        var bytes = wire.ToList();
        int mutations = random.Next(1, 4);
        for (int m = 0; m < mutations && bytes.Count > 0; m++)
        {
            int at = random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 2:
                    bytes.Insert(at, (byte)random.Next(256));
                    break;
                case 3:
                    bytes.RemoveAt(at);
                    break;
                case 4:
                    bytes.RemoveRange(at, bytes.Count - at); // truncate
                    break;
                default:
                    bytes.InsertRange(at, bytes.Skip(at).Take(random.Next(1, 16)).ToArray()); // duplicate a run
                    break;
            }
        }

        return [.. bytes];
    }
}
