using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Gateway.Protocol.Masking;

/// <summary>
/// Mask keys for frames this endpoint sends as a client. RFC 6455 5.3 requires each key to be freshly chosen from a
/// strong source of entropy, so they come from <see cref="RandomNumberGenerator"/>; to avoid a system call per
/// frame, each thread fills a block of keys at once and hands them out one by one.
/// </summary>
public static class MaskKeys
{
    /// <summary>4,096 keys per refill, 16 KiB per thread that sends masked frames. An RNG call costs about 1-2 µs
    /// whatever it fills up to this size (OpenSSL's DRBG; 0.8 ns a key at 16 KiB, 4-6 ns at 1 KiB), and with 1 KiB
    /// blocks the calls were 1% of the CPU of relaying small messages (scenario a's profile).</summary>
    private const int BlockBytes = 16 * 1024;

    [ThreadStatic]
    private static byte[]? t_block;

    [ThreadStatic]
    private static int t_next;

    /// <summary>The next unpredictable 32-bit mask key (key byte 0 in the lowest 8 bits). Thread-safe.</summary>
    public static uint Next()
    {
        byte[]? block = t_block;
        int next = t_next;
        if (block is null || next == BlockBytes)
        {
            block ??= t_block = new byte[BlockBytes];
            RandomNumberGenerator.Fill(block);
            next = 0;
        }

        t_next = next + sizeof(uint);
        return BinaryPrimitives.ReadUInt32LittleEndian(block.AsSpan(next));
    }
}
