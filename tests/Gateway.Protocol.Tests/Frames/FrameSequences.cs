using System.Text;
using Gateway.Protocol.Frames;
using Gateway.Protocol.Masking;

namespace Gateway.Protocol.Tests.Frames;

/// <summary>One frame of a generated valid sequence, with the payload as the application sees it.</summary>
internal sealed record FrameSpec(bool Fin, Opcode Opcode, byte[] Payload, uint MaskKey);

/// <summary>
/// Valid frame sequences (fragmented text and binary messages with control frames between fragments), encoded with
/// <see cref="FrameEncoder"/> and <see cref="Mask"/>, and the summary a correct decoder gives for them. Used by the
/// property tests (driven by FsCheck) and the mutation tests (driven by a seeded Random).
/// </summary>
internal static class FrameSequences
{
    public static byte[] Encode(IEnumerable<FrameSpec> frames, Role senderRole)
    {
        bool masked = senderRole == Role.Client; // RFC 6455 5.1: clients mask, servers do not
        var wire = new List<byte>();
        Span<byte> header = stackalloc byte[FrameEncoder.MaxHeaderLength];
        foreach (FrameSpec frame in frames)
        {
            int headerLength = FrameEncoder.WriteHeader(header, frame.Fin, frame.Opcode, frame.Payload.Length, masked,
                frame.MaskKey);
            wire.AddRange(header[..headerLength]);
            var body = new byte[frame.Payload.Length];
            Mask.Apply(frame.Payload, body, masked ? frame.MaskKey : 0, 0);
            wire.AddRange(body);
        }

        return [.. wire];
    }

    public static string Expected(IEnumerable<FrameSpec> frames) =>
        string.Join("; ", frames.Select(f => FrameReader.Describe(f.Opcode, f.Fin, Convert.ToHexString(f.Payload))));

    /// <summary>The receiving decoder's role for frames sent by <paramref name="senderRole"/>.</summary>
    public static Role Receiver(Role senderRole) => senderRole == Role.Client ? Role.Server : Role.Client;

    /// <summary>Cuts one message's payload into fragments, with control frames (or none) after each non-final one.</summary>
    public static IEnumerable<FrameSpec> Message(bool text, byte[] payload, int[] cuts, FrameSpec?[] controls,
        uint[] keys)
    {
        int[] ends = [.. cuts.Where(c => c < payload.Length).Order(), payload.Length];
        int start = 0;
        for (int i = 0; i < ends.Length; i++)
        {
            bool fin = i == ends.Length - 1;
            Opcode opcode = i == 0 ? (text ? Opcode.Text : Opcode.Binary) : Opcode.Continuation;
            yield return new FrameSpec(fin, opcode, payload[start..ends[i]], keys[i % keys.Length]);
            if (!fin && controls.Length > 0 && controls[i % controls.Length] is { } control)
            {
                yield return control;
            }

            start = ends[i];
        }
    }

    /// <summary>A seeded valid sequence of 1..5 messages, for mutation tests.</summary>
    public static FrameSpec[] Random(Random random)
    {
        var frames = new List<FrameSpec>();
        int messages = random.Next(1, 6);
        for (int m = 0; m < messages; m++)
        {
            bool text = random.Next(2) == 0;
            byte[] payload = text
                ? Encoding.UTF8.GetBytes(RandomText(random, random.Next(0, 40)))
                : Bytes(random, random.Next(20) == 0 ? random.Next(126, 70_000) : random.Next(0, 200));
            int[] cuts = Enumerable.Range(0, random.Next(0, 4)).Select(_ => random.Next(0, payload.Length + 1))
                .ToArray();
            FrameSpec?[] controls = Enumerable.Range(0, 3)
                .Select(_ => random.Next(3) == 0 ? Control(random) : null).ToArray();
            frames.AddRange(Message(text, payload, cuts, controls, [(uint)random.Next(), (uint)random.Next()]));
        }

        return [.. frames];
    }

    private static FrameSpec Control(Random random)
    {
        Opcode opcode = random.Next(3) switch { 0 => Opcode.Ping, 1 => Opcode.Pong, _ => Opcode.Close };
        byte[] payload = opcode == Opcode.Close
            ? [0x03, 0xE8, .. "bye"u8]
            : Bytes(random, random.Next(0, 126));
        return new FrameSpec(true, opcode, payload, (uint)random.Next());
    }

    private static string RandomText(Random random, int codePoints)
    {
        var text = new StringBuilder();
        for (int i = 0; i < codePoints; i++)
        {
            int cp = random.Next(4) switch
            {
                0 => random.Next(0x20, 0x7F),
                1 => random.Next(0x80, 0x800),
                2 => random.Next(0x800, 0xD800),
                _ => random.Next(0x10000, 0x110000),
            };
            text.Append(char.ConvertFromUtf32(cp));
        }

        return text.ToString();
    }

    private static byte[] Bytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
