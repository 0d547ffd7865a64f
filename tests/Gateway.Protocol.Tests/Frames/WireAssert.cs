using Gateway.Protocol.Frames;

namespace Gateway.Protocol.Tests.Frames;

/// <summary>Runs a wire case whole and under every chunking, and asserts the outcome never changes.</summary>
internal static class WireAssert
{
    /// <summary>Hex with optional spaces, e.g. "81 05 48 65 6c 6c 6f".</summary>
    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", ""));

    public static ReadResult Decodes(byte[] wire, string expected, Role role = Role.Client, FrameLimits? limits = null)
    {
        ReadResult whole = FrameReader.Read(wire, role, limits);
        Assert.Equal(expected, whole.Summary);
        foreach (int[] cuts in Chunkings.For(wire.Length))
        {
            string summary = FrameReader.Read(wire, cuts, role, limits).Summary;
            if (summary != expected)
            {
                Assert.Fail($"cut at [{string.Join(",", cuts.Take(20))}{(cuts.Length > 20 ? ",..." : "")}]: " +
                    $"expected \"{expected}\", got \"{summary}\"");
            }
        }

        return whole;
    }

    /// <summary>
    /// Asserts that <paramref name="wire"/> fails with exactly <paramref name="expected"/> (stable code and close
    /// code, checked against literals by the caller) after the frames in <paramref name="framesBefore"/>.
    /// </summary>
    public static void Fails(byte[] wire, ProtocolError expected, string code, ushort closeCode,
        Role role = Role.Client, FrameLimits? limits = null, string framesBefore = "")
    {
        Assert.Equal(code, expected.Code);
        Assert.Equal(closeCode, expected.CloseCode);
        string summary = framesBefore.Length == 0 ? "error " + code : framesBefore + "; error " + code;
        ReadResult result = Decodes(wire, summary, role, limits);
        Assert.Same(expected, result.Error);
    }
}
