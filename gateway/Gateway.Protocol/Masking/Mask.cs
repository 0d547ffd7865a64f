using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Gateway.Protocol.Masking;

/// <summary>
/// RFC 6455 5.3 masking: payload byte i is XORed with key byte (i mod 4). <c>offset</c> (0..3) is the position in
/// the payload, modulo 4, where the given data starts, so a payload arriving in pieces is masked piece by piece;
/// every method returns the rolled offset <c>(offset + length) &amp; 3</c> for the next piece. Keys are as in
/// <see cref="Frames.FrameHeader.MaskKey"/>: key byte 0 in the lowest 8 bits.
/// </summary>
/// <remarks>
/// Hot path: this touches every payload byte the relay forwards. Rotating the key by the offset turns the whole
/// piece into one XOR with a repeating 4-byte pattern, done with the widest hardware-accelerated vectors first, then
/// 8- and 4-byte words, then single bytes; every step is a multiple of 4 bytes, so the pattern never shifts.
/// </remarks>
public static class Mask
{
    /// <summary>Masks (or unmasks: XOR is its own inverse) <paramref name="data"/> in place.</summary>
    public static int Apply(Span<byte> data, uint key, int offset)
    {
        CheckOffset(offset);
        ref byte start = ref MemoryMarshal.GetReference(data);
        Xor(ref start, ref start, (nuint)data.Length, RotateToOffset(key, offset));
        return (offset + data.Length) & 3;
    }

    /// <summary>
    /// Copies <paramref name="source"/> into <paramref name="destination"/> masked. The destination must be at least
    /// as long as the source; the two may be the same memory but must not otherwise overlap.
    /// </summary>
    public static int Apply(ReadOnlySpan<byte> source, Span<byte> destination, uint key, int offset)
    {
        CheckOffset(offset);
        CheckDestination(source, destination);
        Xor(ref MemoryMarshal.GetReference(source), ref MemoryMarshal.GetReference(destination),
            (nuint)source.Length, RotateToOffset(key, offset));
        return (offset + source.Length) & 3;
    }

    /// <summary>
    /// Unmasks with <paramref name="unmaskKey"/> and masks with <paramref name="maskKey"/> in one pass (both at the
    /// same payload offset): XOR with both keys is XOR with their XOR.
    /// </summary>
    public static int Remask(ReadOnlySpan<byte> source, Span<byte> destination, uint unmaskKey, uint maskKey,
        int offset) => Apply(source, destination, unmaskKey ^ maskKey, offset);

    /// <summary>
    /// The key as seen from payload position <paramref name="offset"/>: byte j of the result is key byte
    /// (offset + j) mod 4.
    /// </summary>
    private static uint RotateToOffset(uint key, int offset) => BitOperations.RotateRight(key, offset * 8);

    private static void Xor(ref byte source, ref byte destination, nuint length, uint key)
    {
        // Word and vector loads put memory byte 0 in the lowest bits only on little-endian machines.
        uint wordKey = BitConverter.IsLittleEndian ? key : BinaryPrimitives.ReverseEndianness(key);
        nuint i = 0;
        if (Vector512.IsHardwareAccelerated && length >= (nuint)Vector512<byte>.Count)
        {
            Vector512<byte> pattern = Vector512.Create(wordKey).AsByte();
            for (nuint last = length - (nuint)Vector512<byte>.Count; i <= last; i += (nuint)Vector512<byte>.Count)
            {
                (Vector512.LoadUnsafe(ref source, i) ^ pattern).StoreUnsafe(ref destination, i);
            }
        }

        if (Vector256.IsHardwareAccelerated && length - i >= (nuint)Vector256<byte>.Count)
        {
            Vector256<byte> pattern = Vector256.Create(wordKey).AsByte();
            for (nuint last = length - (nuint)Vector256<byte>.Count; i <= last; i += (nuint)Vector256<byte>.Count)
            {
                (Vector256.LoadUnsafe(ref source, i) ^ pattern).StoreUnsafe(ref destination, i);
            }
        }

        if (Vector128.IsHardwareAccelerated && length - i >= (nuint)Vector128<byte>.Count)
        {
            Vector128<byte> pattern = Vector128.Create(wordKey).AsByte();
            for (nuint last = length - (nuint)Vector128<byte>.Count; i <= last; i += (nuint)Vector128<byte>.Count)
            {
                (Vector128.LoadUnsafe(ref source, i) ^ pattern).StoreUnsafe(ref destination, i);
            }
        }

        ulong wideKey = ((ulong)wordKey << 32) | wordKey;
        for (; length - i >= sizeof(ulong); i += sizeof(ulong))
        {
            ulong word = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref source, i));
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref destination, i), word ^ wideKey);
        }

        if (length - i >= sizeof(uint))
        {
            uint word = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref source, i));
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref destination, i), word ^ wordKey);
            i += sizeof(uint);
        }

        // i is a multiple of 4 here, so the remaining (at most 3) bytes use key bytes 0, 1, 2 in order.
        for (; i < length; i++, key >>= 8)
        {
            Unsafe.Add(ref destination, i) = (byte)(Unsafe.Add(ref source, i) ^ (byte)key);
        }
    }

    private static void CheckOffset(int offset)
    {
        if ((uint)offset > 3)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), offset, "mask offset must be 0..3");
        }
    }

    private static void CheckDestination(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (destination.Length < source.Length)
        {
            throw new ArgumentException("destination is shorter than source", nameof(destination));
        }

        // The loops run forward in blocks, so a destination starting inside the source would read bytes it
        // already overwrote.
        if (source.Overlaps(destination, out int elementOffset) && elementOffset != 0)
        {
            throw new ArgumentException("source and destination overlap", nameof(destination));
        }
    }
}
