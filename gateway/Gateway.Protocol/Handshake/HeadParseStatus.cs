namespace Gateway.Protocol.Handshake;

/// <summary>What <see cref="HttpResponseHeadParser.TryParse"/> made of the bytes it was given.</summary>
public enum HeadParseStatus
{
    /// <summary>A whole head was parsed; consumed points just past its empty line.</summary>
    Done,

    /// <summary>The head is not complete yet; nothing was consumed, everything was examined.</summary>
    NeedMoreData,

    /// <summary>The bytes are not an acceptable response head; the error says why.</summary>
    Error,
}
