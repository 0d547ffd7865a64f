using System.Text.Json;
using Gateway.Testing.Peers;

namespace Gateway.FunctionalTests.Infrastructure;

/// tests/node/sessions.js: many npm `ws` sessions sending sequence-numbered messages, checking their echoes.
public sealed class SessionsClient : IAsyncDisposable
{
    private readonly NodePeer _peer;

    private SessionsClient(NodePeer peer) => _peer = peer;

    public sealed record Session(string Url, int Sent, int Received, bool Ordered, int? Code, string? Reason, string? Error);

    /// Starts `count` sessions on each url and waits until all are open.
    public static async Task<SessionsClient> OpenAsync(params (Uri Url, int Count)[] targets)
    {
        var peer = NodePeer.Start("sessions.js", [.. targets.Select(t => $"{t.Url}={t.Count}"), "--interval-ms", "20"]);
        var client = new SessionsClient(peer);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var line = await peer.Process.StandardOutput.ReadLineAsync(cts.Token);
        if (line is null || !line.Contains("\"open\"", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"sessions.js did not open its sessions: {line} {await peer.Process.StandardError.ReadToEndAsync()}");
        }

        return client;
    }

    /// Asks every open session to stop sending, wait for its last echo and close with 1000.
    public async Task StopAsync() => await _peer.Process.StandardInput.WriteLineAsync("stop");

    /// Waits for every session to have closed (by either side) and returns each one's record.
    public async Task<IReadOnlyList<Session>> ResultsAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var line = await _peer.Process.StandardOutput.ReadLineAsync(cts.Token)
            ?? throw new InvalidOperationException("sessions.js ended without results: " + await _peer.Process.StandardError.ReadToEndAsync());
        var options = new JsonSerializerOptions { PropertyNameCaseInsensitive = true };
        return JsonDocument.Parse(line).RootElement.GetProperty("sessions").Deserialize<List<Session>>(options)!;
    }

    public ValueTask DisposeAsync() => _peer.DisposeAsync();
}
