using System.Security.Cryptography;
using System.Text;
using Gateway.FunctionalTests.Infrastructure;
using Gateway.Testing.Frames;
using Gateway.Testing.Peers;

namespace Gateway.FunctionalTests.Relay;

/// Large pieces between two sockets are remasked where they were read and sent from there, not copied
/// (PieceWriter.WriteInPlace): every byte has to arrive as it was sent, in order, also while the reader on the far
/// side stalls and the gateway's sends are taken in part. (That a flush keeps no reference to memory the relay
/// releases after it is SocketWriterTests'.)
public sealed class LargeMessageTests
{
    private const string Limits = "limits: { max_frame_size: 1MiB, max_message_size: 1MiB }";

    [Fact]
    public async Task Large_messages_arrive_byte_for_byte_both_ways_while_the_reader_stalls()
    {
        var messages = Enumerable.Range(0, 16).Select(Message).ToList(); // about 8 MB each way
        await using var pair = await SessionPair.OpenAsync(Limits);
        // The gateway's keepalive pings a leg it has not heard from for 30 s; a slow machine may get there.
        pair.Client.AnswerPings = pair.UpstreamSide.AnswerPings = true;

        // Client to upstream: masked with keys of the client's, remasked with the gateway's.
        var sending = Task.Run(async () =>
        {
            foreach (var (opcode, data) in messages)
            {
                await pair.Client.SendAsync(RawFrame.Build(true, opcode, data, RandomNumberGenerator.GetBytes(4)));
            }
        });
        await Task.Delay(300); // the upstream reads nothing yet: the gateway's sends are taken in part
        await AssertReceivedAsync(pair.UpstreamSide, messages, masked: true);
        await sending;

        // Upstream to client: unmasked both sides of the gateway, sent on as they were read.
        sending = Task.Run(async () =>
        {
            foreach (var (opcode, data) in messages)
            {
                await pair.UpstreamSide.SendAsync(RawFrame.Build(true, opcode, data));
            }
        });
        await Task.Delay(300);
        await AssertReceivedAsync(pair.Client, messages, masked: false);
        await sending;
    }

    /// Binary of random bytes, or text of multibyte characters (validated as UTF-8 on the way), 100-850 KB.
    private static (int Opcode, byte[] Data) Message(int index)
    {
        int size = 100_000 + index * 50_000;
        if (index % 3 != 2)
        {
            return (2, RandomNumberGenerator.GetBytes(size));
        }

        var unit = Encoding.UTF8.GetBytes($"héllo wörld ✓ {index} ");
        var text = new byte[size / unit.Length * unit.Length]; // whole repeats: whole code points
        for (int at = 0; at < text.Length; at += unit.Length)
        {
            unit.CopyTo(text, at);
        }

        return (1, text);
    }

    /// The gateway may forward a frame in pieces (RFC 6455 5.4): each message is put together again and compared.
    private static async Task AssertReceivedAsync(FrameStream reader, List<(int Opcode, byte[] Data)> messages, bool masked)
    {
        foreach (var (opcode, data) in messages)
        {
            var received = new List<byte>(data.Length);
            var first = await reader.ReadFrameAsync(TimeSpan.FromSeconds(30));
            Assert.NotNull(first);
            Assert.Equal(opcode, first.Opcode);
            Assert.Equal(masked, first.Masked);
            received.AddRange(first.Payload);
            var frame = first;
            while (!frame.Fin)
            {
                frame = await reader.ReadFrameAsync(TimeSpan.FromSeconds(30));
                Assert.NotNull(frame);
                Assert.Equal(0, frame.Opcode); // continuation
                received.AddRange(frame.Payload);
            }

            Assert.True(data.AsSpan().SequenceEqual(received.ToArray()), $"a message of {data.Length} bytes arrived altered");
        }
    }
}
