namespace Gateway.Upstream;

/// Why no session could be opened upstream, as the client will see it (contract section 3): 502 (refused, failed
/// after retries, invalid 101), 504 (no answer to the handshake in time), or the upstream's own non-101 status
/// with up to 4 KiB of its body.
public sealed record UpstreamFailure(int Status, string Reason, ReadOnlyMemory<byte> Body = default, string? ContentType = null)
{
    /// Matches nginx's default proxy_buffer_size (4 KiB): enough for an error page's text, never a whole download.
    public const int MaxRelayedBody = 4 * 1024;
}
