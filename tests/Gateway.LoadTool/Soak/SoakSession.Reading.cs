using System.Net.Sockets;
using Gateway.LoadTool.Client;
using Gateway.Protocol.Frames;

namespace Gateway.LoadTool.Soak;

/// The reading half: every echo checked, Pings answered, the end of the session classified.
internal sealed partial class SoakSession
{
    private readonly List<ulong> _seen = [];
    private long _echoed;
    private long _next;
    private long _duplicated;
    private long _reordered;
    private long _corrupted;

    private async Task<SessionResult> ReadLoopAsync(ServerFrameReader reader)
    {
        try
        {
            while (true)
            {
                var message = await reader.ReadAsync();
                switch (message.Kind)
                {
                    case ServerMessageKind.Text or ServerMessageKind.Binary:
                        Check(message);
                        break;
                    case ServerMessageKind.Ping:
                        await WriteAsync(Frame(message.Payload, Opcode.Pong));
                        break;
                    case ServerMessageKind.Close:
                        return await ClosedAsync(message.CloseCode);
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidDataException)
        {
            var end = _chaos ?? (_closeSent ? SessionEnd.CloseTimedOut : SessionEnd.Failed);
            string? error = end == SessionEnd.ClientAborted ? null
                : end == SessionEnd.UpstreamReset ? $"no Close from the gateway: {e.Message}" : e.Message;
            return Result(e is InvalidDataException ? SessionEnd.Failed : end, 0, error);
        }
    }

    private async Task<SessionResult> ClosedAsync(int code)
    {
        if (_closeSent)
        {
            return Result(SessionEnd.ClosedNormally, code, code == 1000 ? null : $"Close {code} in answer to 1000");
        }

        // The gateway closed first: answer its Close (RFC 6455 5.5.1) and leave the TCP close to it.
        await WriteAsync(PrebuiltFrames.Close);
        return Result(_chaos == SessionEnd.UpstreamReset ? SessionEnd.UpstreamReset : SessionEnd.ClosedByGateway, code,
            _chaos is null or SessionEnd.UpstreamReset ? null : $"Close {code} after chaos {_chaos}");
    }

    private SessionResult Result(SessionEnd end, int code, string? error) =>
        new(Id, end, Volatile.Read(ref _sent), _echoed, _duplicated, _reordered, _corrupted, code, error);

    /// Every echo must be a message this session sent, once, in the order sent.
    private void Check(ServerMessage message)
    {
        if (!SoakPayload.Check(Id, message.Kind == ServerMessageKind.Binary, message.Payload, out long seq) ||
            seq >= Volatile.Read(ref _sent))
        {
            _corrupted++;
            return;
        }

        int word = (int)(seq >> 6);
        while (_seen.Count <= word)
        {
            _seen.Add(0);
        }

        ulong bit = 1UL << (int)(seq & 63);
        if ((_seen[word] & bit) != 0)
        {
            _duplicated++;
            return;
        }

        _seen[word] |= bit;
        _echoed++;
        traffic.AddEchoed();
        if (seq < _next)
        {
            _reordered++; // a gap left by a later message is filled late
        }

        _next = Math.Max(_next, seq + 1);
    }
}
