using System.Buffers;
using System.IO.Pipelines;
using Gateway.Protocol.Handshake;

namespace Gateway.Upstream;

/// The gateway's client-side opening handshake on a connected pipe (RFC 6455 4.1): a fresh key, the request,
/// the response head read and checked. Bytes after the 101 stay in the pipe for the relay.
internal static class UpstreamHandshake
{
    /// The cap on an upstream error body relayed to the client (contract section 3). Matches nginx's default
    /// proxy_buffer_size (4 KiB): enough for an error page's text, never a whole download.
    public const int MaxRelayedBody = 4 * 1024;

    public static async Task<(UpstreamConnection? Connection, Refusal? Failure)> RunAsync(
        UpstreamLink link, Uri destination, UpstreamRequest request, CancellationToken cancellationToken)
    {
        var pipe = link.Pipe;
        string key = WebSocketKey.Generate();
        ClientHandshake.WriteRequest(pipe.Output, TargetOf(destination, request.PathAndQuery), destination.Authority,
            key, request.Subprotocols, request.Headers);
        await pipe.Output.FlushAsync(cancellationToken);

        var head = await ReadHeadAsync(pipe.Input, cancellationToken);
        if (head.Head is null)
        {
            return (null, Refusal.BadGateway(head.Error!));
        }

        if (head.Head.StatusCode != 101)
        {
            var body = await ReadBodyAsync(pipe.Input, head.Head, cancellationToken);
            return (null, Refusal.Relayed(head.Head.StatusCode, body, head.Head.Get("Content-Type")));
        }

        string? invalid = ClientHandshake.ValidateResponse(head.Head, key, request.Subprotocols, out string? subprotocol);
        if (invalid is not null)
        {
            return (null, Refusal.BadGateway("invalid upstream handshake: " + invalid));
        }

        return (new UpstreamConnection(link, destination, subprotocol), null);
    }

    /// The destination's own path (if any) prefixes the client's path, as YARP does for plain HTTP.
    private static string TargetOf(Uri destination, string pathAndQuery)
    {
        string prefix = destination.AbsolutePath.TrimEnd('/');
        return prefix.Length == 0 ? pathAndQuery : prefix + pathAndQuery;
    }

    private static async Task<(HttpResponseHead? Head, string? Error)> ReadHeadAsync(PipeReader input, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken);
            var status = HttpResponseHeadParser.TryParse(result.Buffer, out var head, out var consumed, out var examined, out var error);
            if (status == HeadParseStatus.Done)
            {
                input.AdvanceTo(consumed);
                return (head, null);
            }

            input.AdvanceTo(consumed, examined);
            if (status == HeadParseStatus.Error)
            {
                return (null, "invalid upstream response: " + error);
            }

            if (result.IsCompleted)
            {
                return (null, "upstream closed the connection during the handshake");
            }
        }
    }

    /// Up to 4 KiB of a non-101 answer's body, to relay to the client: what Content-Length announces, or what
    /// arrives before the upstream closes. A chunked body is not decoded; the client gets the status alone.
    private static async Task<ReadOnlyMemory<byte>> ReadBodyAsync(PipeReader input, HttpResponseHead head, CancellationToken cancellationToken)
    {
        if (head.IsChunked || head.ContentLength == 0)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        long wanted = Math.Min(head.ContentLength ?? MaxRelayedBody, MaxRelayedBody);
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken);
            if (result.Buffer.Length >= wanted || result.IsCompleted)
            {
                var body = result.Buffer.Slice(0, Math.Min(wanted, result.Buffer.Length)).ToArray();
                input.AdvanceTo(result.Buffer.End);
                return body;
            }

            input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }
}
