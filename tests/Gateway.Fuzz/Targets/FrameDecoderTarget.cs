using Gateway.Protocol.Frames;

namespace Gateway.Fuzz.Targets;

/// <summary>
/// The frame decoder on a byte stream from a peer. Input: [options][chunk seed][wire...]; options bit 0 picks the
/// role (0: the gateway as server, frames must be masked; 1: as client), bits 1-2 the size limits.
/// </summary>
/// <remarks>
/// The stream is read once as one span through the relay's whole-frame fast path, then as a pipe would hand it
/// over in pieces (a byte a segment, and seeded chunks); <see cref="FrameStreamReader"/> asserts the decoder's
/// contract at every step, and every reading must tell the same story, error included.
/// </remarks>
internal static class FrameDecoderTarget
{
    private static readonly FrameLimits[] Limits =
    [
        FrameLimits.Default,
        new(MaxFrameSize: 200, MaxMessageSize: 300), // small enough for afl-fuzz to reach both limits
        FrameLimits.Unlimited,
        new(MaxFrameSize: 0, MaxMessageSize: 0),
    ];

    public static void Run(byte[] input)
    {
        if (input.Length < 2)
        {
            return;
        }

        Role role = (input[0] & 1) == 0 ? Role.Server : Role.Client;
        FrameLimits limits = Limits[(input[0] >> 1) & 3];
        byte[] wire = input[2..];
        string whole = FrameStreamReader.ReadSpan(role, limits, wire);
        foreach (int[] cuts in Chunkings.For(wire.Length, input[1]))
        {
            string split = FrameStreamReader.ReadSequence(role, limits, wire, cuts);
            Invariant.Same(whole, split, $"split at [{string.Join(',', cuts.Take(16))}] vs whole");
        }
    }
}
