namespace Gateway.Upstream;

/// What the gateway's own upgrade request to the upstream carries: the client's path and query, the subprotocols
/// the client offered (filtered by the route), and the headers forwarded from the client.
public sealed record UpstreamRequest(
    string PathAndQuery,
    IReadOnlyList<string> Subprotocols,
    IReadOnlyList<KeyValuePair<string, string>> Headers);
