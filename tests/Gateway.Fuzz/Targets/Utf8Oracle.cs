using System.Buffers;
using System.Text.Unicode;

namespace Gateway.Fuzz.Targets;

/// <summary>
/// The runtime's UTF-8 transcoder fed chunk by chunk, as a second opinion on the decoder's incremental validator:
/// with isFinalBlock false it reports InvalidData only for bytes no continuation could make valid, which is the
/// moment the validator promises to fail (Text/Utf8Validator).
/// </summary>
internal sealed class Utf8Oracle
{
    private readonly byte[] _carry = new byte[4]; // an incomplete code point cut by the last chunk's end
    private int _carried;

    public void Reset() => _carried = 0;

    /// <summary>False once the text so far can no longer be valid UTF-8 (or, when final, is not).</summary>
    public bool Accept(ReadOnlySpan<byte> chunk, bool isFinal)
    {
        byte[] joined = ArrayPool<byte>.Shared.Rent(_carried + chunk.Length);
        char[] chars = ArrayPool<char>.Shared.Rent(_carried + chunk.Length + 1);
        try
        {
            _carry.AsSpan(0, _carried).CopyTo(joined);
            chunk.CopyTo(joined.AsSpan(_carried));
            var source = joined.AsSpan(0, _carried + chunk.Length);
            var status = Utf8.ToUtf16(source, chars, out int read, out _, replaceInvalidSequences: false,
                isFinalBlock: isFinal);
            Invariant.Check(status != OperationStatus.DestinationTooSmall, "oracle: char buffer too small");
            if (status == OperationStatus.InvalidData)
            {
                return false;
            }

            var rest = source[read..];
            Invariant.Check(rest.Length < _carry.Length, "oracle: more than 3 bytes left over");
            rest.CopyTo(_carry);
            _carried = rest.Length;
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(joined);
            ArrayPool<char>.Shared.Return(chars);
        }
    }
}
