using System.Diagnostics;
using System.Net.Sockets;
using Gateway.LoadTool.Client;
using Gateway.LoadTool.Measure;

namespace Gateway.LoadTool.Scenarios;

/// One connection of an echo load: keeps `inFlight` messages outstanding, timing each echo. Small messages use
/// one thread that sends a new message for each echo it reads; large ones use a writer thread too, so a blocked
/// write never keeps the reader from draining echoes (which would deadlock both peers' buffers).
internal sealed class LoadConnection
{
    private const int ReadBufferBytes = 256 * 1024;
    private const int CloseTimeoutMs = 2000;

    private readonly WsConnection _connection;
    private readonly EchoLoadControl _control;
    private readonly byte[] _frames;
    private readonly int _frameLength;
    private readonly int _inFlight;
    private readonly long[] _sentAt;
    private readonly SemaphoreSlim _credits;
    private readonly bool _separateWriter;
    private int _outstanding;
    private long _echoes;

    public LoadConnection(WsConnection connection, EchoLoadControl control, byte[] frames, int frameLength, int inFlight,
        bool separateWriter)
    {
        _connection = connection;
        _control = control;
        _frames = frames;
        _frameLength = frameLength;
        _inFlight = inFlight;
        _sentAt = new long[inFlight];
        _credits = new SemaphoreSlim(inFlight, inFlight);
        _separateWriter = separateWriter;
    }

    public LatencyHistogram Latency { get; } = new();

    public long Echoes => Volatile.Read(ref _echoes);

    public IEnumerable<Thread> Start()
    {
        var reader = new Thread(ReadLoop) { IsBackground = true, Name = "load-read" };
        reader.Start();
        yield return reader;
        if (_separateWriter)
        {
            var writer = new Thread(WriteLoop) { IsBackground = true, Name = "load-write" };
            writer.Start();
            yield return writer;
        }
    }

    public void Abort() => _connection.Dispose();

    private void ReadLoop()
    {
        var buffer = new byte[ReadBufferBytes];
        var counter = new MessageCounter();
        long sent = 0;
        long received = 0;
        try
        {
            if (!_separateWriter)
            {
                sent += Send(_inFlight, sent);
            }

            while (true)
            {
                int read = _connection.Stream.Read(buffer);
                if (read == 0)
                {
                    return;
                }

                int done = counter.Feed(buffer.AsSpan(0, read), out _);
                if (done == 0)
                {
                    continue;
                }

                long now = Stopwatch.GetTimestamp();
                bool measuring = _control.Measuring;
                for (int i = 0; i < done; i++, received++)
                {
                    long at = Volatile.Read(ref _sentAt[received % _inFlight]);
                    if (measuring)
                    {
                        Latency.RecordTicks(now - at);
                    }
                }

                Volatile.Write(ref _echoes, received);
                if (_separateWriter)
                {
                    Interlocked.Add(ref _outstanding, -done);
                    _credits.Release(done);
                }
                else if (!_control.Stopping)
                {
                    sent += Send(done, sent);
                }

                bool drained = _separateWriter ? Volatile.Read(ref _outstanding) == 0 : received == sent;
                if (_control.Stopping && drained)
                {
                    break;
                }
            }

            _connection.CloseGracefully(CloseTimeoutMs);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
        }
    }

    private void WriteLoop()
    {
        long sent = 0;
        try
        {
            while (!_control.Stopping)
            {
                if (_credits.Wait(100))
                {
                    Interlocked.Increment(ref _outstanding);
                    sent += Send(1, sent);
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
        }
    }

    /// Stamps and sends `count` pre-built messages in one write; returns count.
    private int Send(int count, long sent)
    {
        long now = Stopwatch.GetTimestamp();
        for (int i = 0; i < count; i++)
        {
            Volatile.Write(ref _sentAt[(sent + i) % _inFlight], now);
        }

        _connection.Stream.Write(_frames, 0, count * _frameLength);
        return count;
    }
}

/// Shared phase flags of one echo load run, set by the coordinating thread.
internal sealed class EchoLoadControl
{
    private volatile bool _measuring;
    private volatile bool _stopping;

    public bool Measuring { get => _measuring; set => _measuring = value; }
    public bool Stopping { get => _stopping; set => _stopping = value; }
}
