using System.Buffers;
using System.Text;
using System.Text.Unicode;
using FsCheck;
using FsCheck.Fluent;
using Gateway.Protocol.Text;

namespace Gateway.Protocol.Tests.Text;

/// <summary>
/// The validator, whole and in arbitrary chunks, agrees with the runtime's strict decoder on random and adversarial
/// bytes, and fails at the chunk holding the first byte that no valid text could continue with.
/// </summary>
public class Utf8ValidatorPropertyTests
{
    private static readonly Config Quick = Config.QuickThrowOnFailure.WithMaxTest(500);
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Pieces that trip validators: every sequence length, each edge of the RFC 3629 table, and breakage.</summary>
    private static readonly byte[][] Adversarial =
    [
        [0x41], [0x7F], [0x00], [0xC2, 0x80], [0xDF, 0xBF], [0xE0, 0xA0, 0x80], [0xEF, 0xBF, 0xBF],
        [0xED, 0x9F, 0xBF], [0xEE, 0x80, 0x80], [0xF0, 0x90, 0x80, 0x80], [0xF4, 0x8F, 0xBF, 0xBF],
        [0xE2, 0x82, 0xAC], [0xF0, 0x9F, 0x98, 0x80],
        [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x9F, 0xBF], [0xF0, 0x8F, 0xBF, 0xBF],  // overlongs
        [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF],                                    // surrogates
        [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xF7, 0xBF, 0xBF, 0xBF], // > U+10FFFF
        [0x80], [0xBF], [0xFE], [0xFF], [0xC2], [0xE2, 0x82], [0xF0, 0x9F, 0x98],  // stray and truncated
    ];

    private static readonly Gen<byte[]> RandomBytes =
        Gen.Choose(0, 64).SelectMany(n => Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), n));

    // Mostly valid pieces so that a good share of the inputs are valid, or invalid only deep inside.
    private static readonly Gen<byte[]> AdversarialBytes = Gen.Frequency(
            (6, Gen.Elements(Adversarial.Take(13))), (1, Gen.Elements(Adversarial.Skip(13))))
        .ArrayOf()
        .Select(pieces => pieces.SelectMany(p => p).ToArray());

    private static readonly Gen<byte[]> Inputs = Gen.Frequency((1, RandomBytes), (3, AdversarialBytes));

    private static readonly Gen<(byte[] Text, int[] Cuts)> ChunkedInputs =
        from text in Inputs
        from cuts in Gen.ArrayOf(Gen.Choose(0, text.Length))
        select (text, cuts.Order().ToArray());

    [Fact]
    public void Whole_text_agrees_with_the_strict_decoder() =>
        Check.One(Quick, Prop.ForAll(Arb.From(Inputs), text =>
        {
            var validator = new Utf8Validator();
            bool expected = StrictlyValid(text);
            return Utf8Validator.IsValid(text) == expected && validator.Validate(text, isFinal: true) == expected;
        }));

    [Fact]
    public void Chunked_text_agrees_with_the_strict_decoder() =>
        Check.One(Quick, Prop.ForAll(Arb.From(ChunkedInputs), input =>
            ValidateInChunks(input.Text, input.Cuts).Valid == StrictlyValid(input.Text)));

    [Fact]
    public void Chunked_text_fails_at_the_first_byte_nothing_could_follow() =>
        Check.One(Quick, Prop.ForAll(Arb.From(ChunkedInputs), input =>
        {
            (bool valid, int failedStart, int failedEnd) = ValidateInChunks(input.Text, input.Cuts);
            int firstBad = FirstUncontinuableByte(input.Text);
            if (firstBad < 0)
            {
                return valid || failedEnd == input.Text.Length; // at most a truncation, found at the very end
            }

            return !valid && failedStart <= firstBad && firstBad < failedEnd;
        }));

    private static bool StrictlyValid(byte[] text)
    {
        try
        {
            Strict.GetCharCount(text);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    /// <summary>Index of the first byte after which the prefix can no longer be valid text; -1 if none.</summary>
    private static int FirstUncontinuableByte(byte[] text)
    {
        var chars = new char[text.Length + 1];
        for (int end = 1; end <= text.Length; end++)
        {
            if (Utf8.ToUtf16(text.AsSpan(0, end), chars, out _, out _, replaceInvalidSequences: false,
                    isFinalBlock: false) == OperationStatus.InvalidData)
            {
                return end - 1;
            }
        }

        return -1;
    }

    /// <summary>Feeds the chunks in order; on failure also says which chunk failed.</summary>
    private static (bool Valid, int FailedStart, int FailedEnd) ValidateInChunks(byte[] text, int[] cuts)
    {
        var validator = new Utf8Validator();
        int[] ends = [.. cuts, text.Length];
        int start = 0;
        for (int i = 0; i < ends.Length; i++)
        {
            if (!validator.Validate(text.AsSpan(start, ends[i] - start), isFinal: i == ends.Length - 1))
            {
                return (false, start, ends[i]);
            }

            start = ends[i];
        }

        return (true, -1, -1);
    }
}
