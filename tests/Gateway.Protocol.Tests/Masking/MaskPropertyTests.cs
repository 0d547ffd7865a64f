using FsCheck;
using FsCheck.Fluent;
using Gateway.Protocol.Masking;

namespace Gateway.Protocol.Tests.Masking;

/// <summary>Masking laws over random payloads, keys, offsets and split points (FsCheck).</summary>
public class MaskPropertyTests
{
    // Long enough to cross every vector width (64-byte Vector512) several times, with ragged tails.
    private const int MaxPayload = 700;
    private static readonly Config Quick = Config.QuickThrowOnFailure.WithMaxTest(300);

    private static readonly Gen<byte[]> Payloads =
        Gen.Choose(0, MaxPayload).SelectMany(n => Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), n));

    private static readonly Gen<uint> Keys = ArbMap.Default.GeneratorFor<uint>();
    private static readonly Gen<int> Offsets = Gen.Choose(0, 3);

    [Fact]
    public void Masking_twice_with_the_same_key_is_identity() =>
        Check.One(Quick, Prop.ForAll(Arb.From(from p in Payloads from k in Keys from o in Offsets select (p, k, o)), input =>
        {
            (byte[] payload, uint key, int offset) = input;
            byte[] data = payload.ToArray();
            int rolled = Mask.Apply(data, key, offset);
            Mask.Apply(data, key, offset);
            return data.AsSpan().SequenceEqual(payload) && rolled == ((offset + payload.Length) & 3);
        }));

    [Fact]
    public void Remask_equals_unmask_then_mask() =>
        Check.One(Quick, Prop.ForAll(Arb.From(from p in Payloads from k1 in Keys from k2 in Keys from o in Offsets
            select (p, (k1, k2), o)), input =>
        {
            (byte[] payload, (uint unmaskKey, uint maskKey), int offset) = input;
            var remasked = new byte[payload.Length];
            Mask.Remask(payload, remasked, unmaskKey, maskKey, offset);

            byte[] twoSteps = payload.ToArray();
            Mask.Apply(twoSteps, unmaskKey, offset);
            Mask.Apply(twoSteps, maskKey, offset);
            return remasked.AsSpan().SequenceEqual(twoSteps);
        }));

    [Fact]
    public void Piecewise_masking_equals_one_shot() =>
        Check.One(Quick, Prop.ForAll(Arb.From(from p in Payloads
            from cuts in Gen.ArrayOf(Gen.Choose(0, p.Length))
            from k in Keys
            select (p, cuts, k)), input =>
        {
            (byte[] payload, int[] cutPoints, uint key) = input;
            byte[] oneShot = payload.ToArray();
            Mask.Apply(oneShot, key, 0);

            // Alternate the two overloads so both roll the offset the same way.
            var piecewise = new byte[payload.Length];
            int offset = 0, start = 0, piece = 0;
            foreach (int end in cutPoints.Append(payload.Length).Order())
            {
                offset = piece++ % 2 == 0
                    ? Mask.Apply(payload.AsSpan(start, end - start), piecewise.AsSpan(start), key, offset)
                    : Mask.Apply(CopyInto(piecewise, payload, start, end), key, offset);
                start = end;
            }

            return piecewise.AsSpan().SequenceEqual(oneShot);
        }));

    private static Span<byte> CopyInto(byte[] destination, byte[] source, int start, int end)
    {
        source.AsSpan(start, end - start).CopyTo(destination.AsSpan(start));
        return destination.AsSpan(start, end - start);
    }
}
