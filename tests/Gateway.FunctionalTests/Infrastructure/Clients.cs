using System.Net.WebSockets;

namespace Gateway.FunctionalTests.Infrastructure;

internal static class Clients
{
    /// A ClientWebSocket that trusts the gateway's self-signed test certificate.
    public static async Task<ClientWebSocket> ConnectAsync(Uri uri, params string[] subprotocols)
    {
        var socket = new ClientWebSocket();
        socket.Options.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        foreach (var subprotocol in subprotocols)
        {
            socket.Options.AddSubProtocol(subprotocol);
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(uri, cts.Token);
        return socket;
    }

    /// Receives one whole message.
    public static async Task<(WebSocketMessageType Type, byte[] Data)> ReceiveMessageAsync(WebSocket socket, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        using var data = new MemoryStream();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, cts.Token);
            data.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return (result.MessageType, data.ToArray());
            }
        }
    }

    /// Sends a message in pieces of at most `chunk` bytes (each a frame, all but the last non-final).
    public static async Task SendInPiecesAsync(WebSocket socket, byte[] data, WebSocketMessageType type, int chunk)
    {
        int at = 0;
        do
        {
            int length = Math.Min(chunk, data.Length - at);
            await socket.SendAsync(data.AsMemory(at, length), type, at + length == data.Length, CancellationToken.None);
            at += length;
        }
        while (at < data.Length);
    }
}
