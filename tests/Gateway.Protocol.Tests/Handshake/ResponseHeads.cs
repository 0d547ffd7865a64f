using System.Buffers;
using System.Text;
using Gateway.Protocol.Handshake;

namespace Gateway.Protocol.Tests.Handshake;

/// <summary>Parses test response heads written as text.</summary>
internal static class ResponseHeads
{
    public static HttpResponseHead Parse(string text)
    {
        var status = HttpResponseHeadParser.TryParse(new ReadOnlySequence<byte>(Encoding.Latin1.GetBytes(text)),
            out var head, out _, out _, out var error);
        Assert.True(status == HeadParseStatus.Done, $"{status}: {error}");
        return head!;
    }
}
