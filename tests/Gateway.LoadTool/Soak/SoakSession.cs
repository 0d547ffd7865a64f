using System.Net;
using System.Net.Sockets;
using Gateway.LoadTool.Client;
using Gateway.Protocol.Frames;
using Gateway.Protocol.Masking;

namespace Gateway.LoadTool.Soak;

/// One soak client session on /soak/{id}: a sender writes message after message at a random pace (`rate` a second
/// on average), the reader checks every echo against what was sent and answers Pings. It ends by a normal close
/// (CloseNormallyAsync), by chaos (AbortAsync, ResetUpstream), or by whatever the gateway does.
internal sealed partial class SoakSession(int id, SoakTraffic traffic)
{
    /// Long past the gateway's close_timeout (5 s): a Close that takes longer is not coming.
    private const int CloseTimeoutMs = 10_000;
    private const int Opening = 0, Running = 1, Ending = 2;
    private const int ReadBufferBytes = 64 * 1024;

    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly CancellationTokenSource _stopSending = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<SessionResult> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WsConnection? _connection;
    private Task _sender = Task.CompletedTask;
    private int _state = Opening;
    private volatile bool _closeSent;
    private SessionEnd? _chaos;
    private long _sent;

    public int Id { get; } = id;

    public bool IsRunning => Volatile.Read(ref _state) == Running;

    /// Completes once the session is open, or its open has failed.
    public Task Ready => _ready.Task;

    /// Opens the session (an open failure is thrown) and returns when it has ended, however it ended.
    public async Task<SessionResult> RunAsync(Uri gateway, IPAddress source, double rate)
    {
        var url = new Uri(gateway, $"{gateway.AbsolutePath.TrimEnd('/')}/soak/{Id}");
        try
        {
            _connection = await Task.Run(() => WsConnection.Open(url, source));
        }
        catch
        {
            _ready.TrySetResult();
            _done.TrySetResult(new SessionResult(Id, SessionEnd.Failed, 0, 0, 0, 0, 0, 0, "open failed"));
            throw;
        }

        var reading = ReadLoopAsync(new ServerFrameReader(new BufferedStream(_connection.Stream, ReadBufferBytes)));
        _sender = SendLoopAsync(rate);
        Volatile.Write(ref _state, Running);
        _ready.TrySetResult();
        var result = await reading;
        // The connection goes first: a sender blocked on a full socket buffer then fails instead of waiting forever.
        await _stopSending.CancelAsync();
        _connection.Dispose();
        await _sender;
        _done.TrySetResult(result);
        return result;
    }

    /// The client's Close 1000 once the sender has stopped, then the wait for the gateway's Close; the session's
    /// result. A session still opening is closed once it is open; one already ending is awaited.
    public async Task<SessionResult> CloseNormallyAsync()
    {
        await _ready.Task;
        if (Interlocked.CompareExchange(ref _state, Ending, Running) == Running)
        {
            await _stopSending.CancelAsync();
            await _sender;
            await WriteAsync(PrebuiltFrames.Close, beforeWrite: () => _closeSent = true);
            await EndWithinAsync(CloseTimeoutMs);
        }

        return await _done.Task;
    }

    /// Chaos: resets the TCP connection without a close handshake; with `midFrame`, after the first half of a frame.
    public async Task<bool> AbortAsync(bool midFrame)
    {
        if (!TryChaos(SessionEnd.ClientAborted))
        {
            return false;
        }

        if (midFrame)
        {
            var payload = new byte[4096];
            Random.Shared.NextBytes(payload);
            var frame = Frame(payload, Opcode.Binary);
            await WriteAsync(frame.AsMemory(0, frame.Length / 2));
        }

        Reset();
        return true;
    }

    /// Chaos: the upstream resets this session's connection; the gateway should then close the client leg (1014).
    public bool ResetUpstream(SoakUpstream upstream)
    {
        if (!TryChaos(SessionEnd.UpstreamReset))
        {
            return false;
        }

        if (!upstream.Reset(Id))
        {
            _chaos = SessionEnd.ClientAborted; // its upstream connection is gone already: end it from this side
            Reset();
            return true;
        }

        _ = EndWithinAsync(CloseTimeoutMs);
        return true;
    }

    private bool TryChaos(SessionEnd end)
    {
        if (Interlocked.CompareExchange(ref _state, Ending, Running) != Running)
        {
            return false;
        }

        _chaos = end;
        return true;
    }

    /// A session that has not ended `timeoutMs` from now is reset; its result says what it was waiting for.
    private async Task EndWithinAsync(int timeoutMs)
    {
        if (await Task.WhenAny(_done.Task, Task.Delay(timeoutMs)) != _done.Task)
        {
            Reset();
        }
    }

    private void Reset()
    {
        try
        {
            // SO_LINGER 0: close sends a TCP RST at once, and no close handshake.
            _connection!.Socket.LingerState = new LingerOption(true, 0);
            _connection.Socket.Close();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task SendLoopAsync(double rate)
    {
        var random = new Random(Id);
        var stop = _stopSending.Token;
        try
        {
            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(random.NextDouble() * 2 / rate), stop);
                long seq = _sent;
                var payload = SoakPayload.Build(Id, seq, out bool binary);
                var frame = Frame(payload, binary ? Opcode.Binary : Opcode.Text);
                await WriteAsync(frame, stop, () =>
                {
                    Volatile.Write(ref _sent, seq + 1);
                    traffic.AddSent();
                });
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// One whole frame at a time: the sender, Pongs, the Close and chaos's half frame never interleave. A write
    /// is never cancelled once started (that would leave half a frame); a write to a dead connection is dropped.
    private async Task WriteAsync(ReadOnlyMemory<byte> frame, CancellationToken cancel = default, Action? beforeWrite = null)
    {
        await _writeLock.WaitAsync(cancel);
        try
        {
            beforeWrite?.Invoke();
            await _connection!.Stream.WriteAsync(frame, CancellationToken.None);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private static byte[] Frame(ReadOnlySpan<byte> payload, Opcode opcode)
    {
        var frame = new byte[PrebuiltFrames.FrameLength(payload.Length)];
        uint key = (uint)Random.Shared.Next() | 0x01010101;
        int header = FrameEncoder.WriteHeader(frame, fin: true, opcode, payload.Length, masked: true, key);
        Mask.Apply(payload, frame.AsSpan(header), key, 0);
        return frame;
    }
}
