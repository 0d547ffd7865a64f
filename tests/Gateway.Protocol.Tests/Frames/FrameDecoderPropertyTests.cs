using System.Buffers;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Gateway.Protocol.Frames;

namespace Gateway.Protocol.Tests.Frames;

/// <summary>Codec laws over generated frames (FsCheck).</summary>
public class FrameDecoderPropertyTests
{
    private static readonly Config Quick = Config.QuickThrowOnFailure.WithMaxTest(200);
    private static readonly Gen<uint> Keys = ArbMap.Default.GeneratorFor<uint>();
    private static readonly Gen<Role> Roles = Gen.Elements(Role.Server, Role.Client);

    private static readonly Gen<byte[]> SmallBytes =
        Gen.Choose(0, 300).SelectMany(n => Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), n));

    // Filled from a seed: generating 64 KiB through FsCheck byte by byte would dominate the run.
    private static readonly Gen<byte[]> LargeBytes =
        from length in Gen.Choose(65_536, 70_000)
        from seed in Gen.Choose(0, int.MaxValue)
        select FrameDecoderRfcExampleTests.Payload(length, seed);

    private static readonly Gen<byte[]> Utf8Text =
        Gen.Frequency(
                (3, Gen.Choose(0x20, 0x7E)), (1, Gen.Choose(0x80, 0x7FF)), (1, Gen.Choose(0x800, 0xD7FF)),
                (1, Gen.Choose(0xE000, 0xFFFF)), (1, Gen.Choose(0x10000, 0x10FFFF)))
            .ArrayOf()
            .Select(cps => Encoding.UTF8.GetBytes(string.Concat(cps.Select(char.ConvertFromUtf32))));

    private static readonly Gen<FrameSpec> Controls =
        from opcode in Gen.Elements(Opcode.Ping, Opcode.Pong, Opcode.Close)
        from payload in Gen.Choose(0, 125).SelectMany(n => Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), n))
        from code in Gen.Elements<ushort>(1000, 1001, 1011, 1014, 3000, 4999)
        from key in Keys
        select new FrameSpec(true, opcode,
            opcode == Opcode.Close ? [(byte)(code >> 8), (byte)code, .. "closing"u8] : payload, key);

    private static readonly Gen<FrameSpec[]> Messages =
        from text in ArbMap.Default.GeneratorFor<bool>()
        from payload in text ? Utf8Text : Gen.Frequency((9, SmallBytes), (1, LargeBytes))
        from cutCount in Gen.Choose(0, 4)
        from cuts in Gen.ArrayOf(Gen.Choose(0, payload.Length), cutCount)
        from controls in Gen.ArrayOf(Gen.Frequency((2, Gen.Constant<FrameSpec?>(null)), (1, Controls.Select(c => (FrameSpec?)c))), 4)
        from keys in Gen.ArrayOf(Keys, 5)
        select FrameSequences.Message(text, payload, cuts, controls, keys).ToArray();

    private static readonly Gen<(Role Sender, FrameSpec[] Frames, int[] Cuts)> Sequences =
        from sender in Roles
        from messages in Gen.Choose(1, 4).SelectMany(n => Gen.ArrayOf(Messages, n))
        let frames = messages.SelectMany(m => m).ToArray()
        let length = FrameSequences.Encode(frames, sender).Length
        from cuts in Gen.ArrayOf(Gen.Choose(0, length))
        select (sender, frames, cuts.Order().ToArray());

    [Fact]
    public void Any_valid_sequence_cut_anywhere_decodes_to_the_same_frames() =>
        Check.One(Quick, Prop.ForAll(Arb.From(Sequences), input =>
        {
            byte[] wire = FrameSequences.Encode(input.Frames, input.Sender);
            string decoded = FrameReader.Read(wire, input.Cuts, FrameSequences.Receiver(input.Sender),
                FrameLimits.Unlimited).Summary;
            return decoded == FrameSequences.Expected(input.Frames);
        }));

    private static readonly Gen<long> Lengths = Gen.Frequency(
        (2, Gen.Choose(0, 125).Select(n => (long)n)),
        (2, Gen.Choose(126, 65_535).Select(n => (long)n)),
        (1, Gen.Constant(65_536L)),
        (2, from high in Gen.Choose(0, int.MaxValue) from low in ArbMap.Default.GeneratorFor<uint>()
            select Math.Max(65_536L, ((long)high << 32) | low)));

    private static readonly Gen<FrameHeader> Headers =
        from fin in ArbMap.Default.GeneratorFor<bool>()
        from opcode in Gen.Elements(Opcode.Continuation, Opcode.Text, Opcode.Binary, Opcode.Close, Opcode.Ping,
            Opcode.Pong)
        from length in Lengths
        from masked in ArbMap.Default.GeneratorFor<bool>()
        from key in Keys
        let control = ((byte)opcode & 0x8) != 0
        select new FrameHeader(fin || control, 0, opcode, masked, masked ? key : 0,
            control ? length % 126 : length, FrameEncoder.GetHeaderLength(control ? length % 126 : length, masked));

    [Fact]
    public void Encode_then_decode_round_trips_every_header_field() =>
        Check.One(Quick, Prop.ForAll(Arb.From(Headers), expected =>
        {
            var decoder = new FrameDecoder(expected.Masked ? Role.Server : Role.Client, FrameLimits.Unlimited);
            var wire = new byte[2 * FrameEncoder.MaxHeaderLength];
            int primer = 0;
            if (expected.Opcode == Opcode.Continuation)
            {
                // A continuation needs a fragmented message to continue (RFC 6455 5.4).
                primer = FrameEncoder.WriteHeader(wire, false, Opcode.Binary, 0, expected.Masked, 0);
                decoder.TryReadHeader(new ReadOnlySequence<byte>(wire, 0, primer), out _, out _, out _, out _);
            }

            int written = FrameEncoder.WriteHeader(wire.AsSpan(primer), expected.Fin, expected.Opcode,
                expected.PayloadLength, expected.Masked, expected.MaskKey);
            DecodeStatus status = decoder.TryReadHeader(new ReadOnlySequence<byte>(wire, primer, written),
                out FrameHeader actual, out _, out _, out _);

            return status == DecodeStatus.Done && written == expected.HeaderLength && actual.Fin == expected.Fin
                && actual.Rsv == 0 && actual.Opcode == expected.Opcode && actual.Masked == expected.Masked
                && actual.MaskKey == expected.MaskKey && actual.PayloadLength == expected.PayloadLength
                && actual.HeaderLength == expected.HeaderLength;
        }));

    private static readonly Gen<(Role Sender, FrameSpec[] Frames, int Flip, byte Value)> Mutated =
        from input in Sequences
        from flip in Gen.Choose(-1, FrameSequences.Encode(input.Frames, input.Sender).Length - 1)
        from value in ArbMap.Default.GeneratorFor<byte>()
        select (input.Sender, input.Frames, flip, value);

    [Fact]
    public void Reading_whole_data_frames_first_decodes_what_the_general_path_decodes() =>
        Check.One(Quick, Prop.ForAll(Arb.From(Mutated), input =>
        {
            // One byte changed (or none, at -1): valid and broken sequences alike must come out the same way, frame
            // for frame, up to the same error, whether the relay's whole-frame shortcut is tried first or not.
            byte[] wire = FrameSequences.Encode(input.Frames, input.Sender);
            if (input.Flip >= 0)
            {
                wire[input.Flip] = input.Value;
            }

            var receiver = FrameSequences.Receiver(input.Sender);
            return DecodeAll(wire, receiver, wholeFirst: true) == DecodeAll(wire, receiver, wholeFirst: false);
        }));

    /// Every header in `wire`, each text payload passed through ValidatePayload, until the end or the first error.
    private static string DecodeAll(byte[] wire, Role receiver, bool wholeFirst)
    {
        var decoder = new FrameDecoder(receiver, FrameLimits.Default);
        var output = new System.Text.StringBuilder();
        int at = 0;
        while (at < wire.Length)
        {
            ReadOnlySpan<byte> rest = wire.AsSpan(at);
            FrameHeader header = default;
            ProtocolError? error = null;
            DecodeStatus status = wholeFirst
                ? decoder.TryReadWholeDataFrame(rest, out header, out error)
                : DecodeStatus.NeedMoreData;
            if (status == DecodeStatus.NeedMoreData)
            {
                status = decoder.TryReadHeader(rest, out header, out error);
            }

            if (status != DecodeStatus.Done)
            {
                return output.Append(status).Append(' ').Append(error?.Code).ToString();
            }

            output.Append(header).Append(';');
            int payloadLength = (int)Math.Min(header.PayloadLength, rest.Length - header.HeaderLength);
            byte[] payload = rest.Slice(header.HeaderLength, payloadLength).ToArray();
            if (header.Masked)
            {
                Gateway.Protocol.Masking.Mask.Apply(payload, header.MaskKey, 0);
            }

            bool whole = payloadLength == header.PayloadLength;
            if (decoder.ValidatePayload(payload, endOfFrame: whole) is { } invalid)
            {
                return output.Append("invalid ").Append(invalid.Code).ToString();
            }

            if (!whole)
            {
                return output.Append("cut").ToString();
            }

            at += header.HeaderLength + payloadLength;
        }

        return output.ToString();
    }
}
