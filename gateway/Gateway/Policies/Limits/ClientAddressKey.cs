using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Gateway.Policies.Limits;

/// The key per-address limits count under: an IPv4 address, or the /64 prefix of an IPv6 address. One IPv6 host
/// usually holds a whole /64 (RFC 7421: SLAAC hands out /64s), so counting single IPv6 addresses would let one
/// client make itself as many "addresses" as it likes.
public readonly record struct ClientAddressKey(ulong High, ulong Low)
{
    /// IPv6 prefix counted as one client (RFC 7421 section 1).
    private const int IPv6PrefixBytes = 8;

    public static ClientAddressKey From(IPAddress? address)
    {
        if (address is null)
        {
            return default;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out int written);
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return new ClientAddressKey(0, BinaryPrimitives.ReadUInt32BigEndian(bytes) | (1UL << 32));
        }

        return new ClientAddressKey(BinaryPrimitives.ReadUInt64BigEndian(bytes[..IPv6PrefixBytes]), 0);
    }
}
