using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Gateway.Protocol.Masking;

/// <summary>
/// Mask keys for frames this endpoint sends as a client. RFC 6455 5.3 requires each key to be freshly chosen from a
/// strong source of entropy, so they come from <see cref="RandomNumberGenerator"/>; to avoid a system call per
/// frame, each thread fills a block of keys at once and hands them out one by one.
/// </summary>
public static class MaskKeys
{
    /// <summary>4,096 keys per refill, 16 KiB per thread that sends masked frames: an RNG call costs about the same
    /// whatever it fills up to this size, so a large block makes each key nearly free.</summary>
    private const int BlockBytes = 16 * 1024;

    /// <summary>One thread-static reference, not two: each thread-static access is a call into the runtime's TLS
    /// lookup (__tls_get_addr) on Linux, and two of them cost more than the rest of Next.</summary>
    [ThreadStatic]
    private static KeyBlock? t_keys;

    /// <summary>The next unpredictable 32-bit mask key (key byte 0 in the lowest 8 bits). Thread-safe.</summary>
    public static uint Next()
    {
        var keys = t_keys ??= new KeyBlock();
        int next = keys.Next;
        if (next == BlockBytes)
        {
            RandomNumberGenerator.Fill(keys.Bytes);
            next = 0;
        }

        keys.Next = next + sizeof(uint);
        return BinaryPrimitives.ReadUInt32LittleEndian(keys.Bytes.AsSpan(next));
    }

    /// <summary>Fills <paramref name="keys"/> with fresh keys, as many calls to <see cref="Next"/> would, for a caller
    /// that sends many frames in a row: one lookup of the thread's block for all of them.</summary>
    public static void Fill(Span<uint> keys)
    {
        var block = t_keys ??= new KeyBlock();
        var bytes = MemoryMarshal.AsBytes(keys);
        while (!bytes.IsEmpty)
        {
            if (block.Next == BlockBytes)
            {
                RandomNumberGenerator.Fill(block.Bytes);
                block.Next = 0;
            }

            int count = Math.Min(bytes.Length, BlockBytes - block.Next);
            block.Bytes.AsSpan(block.Next, count).CopyTo(bytes);
            block.Next += count;
            bytes = bytes[count..];
        }

        if (!BitConverter.IsLittleEndian)
        {
            BinaryPrimitives.ReverseEndianness(keys, keys); // key byte 0 in the lowest 8 bits, as Next gives them
        }
    }

    private sealed class KeyBlock
    {
        public readonly byte[] Bytes = new byte[BlockBytes];
        public int Next = BlockBytes; // empty: filled at the first key
    }
}
