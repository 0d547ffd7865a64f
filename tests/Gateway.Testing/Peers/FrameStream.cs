using System.Buffers.Binary;
using Gateway.Testing.Frames;

namespace Gateway.Testing.Peers;

/// Frames over a stream for test peers, parsed by hand (RFC 6455 5.2) independently of the gateway's codec.
/// Reads block with a timeout so a test that waits for something that never comes fails instead of hanging.
public sealed class FrameStream(Stream stream, byte[]? leftover = null) : IAsyncDisposable
{
    private byte[] _data = leftover is { Length: > 0 } ? [.. leftover] : new byte[64 * 1024];
    private int _start;
    private int _end = leftover?.Length ?? 0;

    private Span<byte> Pending => _data.AsSpan(_start, _end - _start);

    public Stream Stream { get; } = stream;

    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// Answer each Ping read with a Pong of the same payload and read on (a polite peer); masked when MasksOutgoing.
    public bool AnswerPings { get; set; }

    /// True for a client-side peer, which must mask what it sends.
    public bool MasksOutgoing { get; set; }

    public Task SendAsync(byte[] raw) => Stream.WriteAsync(raw).AsTask();

    /// Sends one frame; `mask` true uses a random key (what a client must do).
    public Task SendFrameAsync(int opcode, byte[] payload, bool mask, bool fin = true, int rsv = 0) =>
        SendAsync(RawFrame.Build(fin, opcode, payload, mask ? Random.Shared.GetItems<byte>(new byte[256], 4) : null, rsv));

    public Task SendCloseAsync(int code, string reason, bool mask)
    {
        var payload = new byte[2 + System.Text.Encoding.UTF8.GetByteCount(reason)];
        BinaryPrimitives.WriteUInt16BigEndian(payload, (ushort)code);
        System.Text.Encoding.UTF8.GetBytes(reason, payload.AsSpan(2));
        return SendFrameAsync(WireFrame.Close, payload, mask);
    }

    /// The next frame, or null when the stream ended cleanly.
    public async Task<WireFrame?> ReadFrameAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        if (!await FillAsync(2, cts.Token))
        {
            return null;
        }

        int b0 = Pending[0], b1 = Pending[1];
        bool masked = (b1 & 0x80) != 0;
        long length = b1 & 0x7F;
        int header = 2;
        if (length == 126)
        {
            await FillOrThrowAsync(4, cts.Token);
            length = BinaryPrimitives.ReadUInt16BigEndian(Pending[2..]);
            header = 4;
        }
        else if (length == 127)
        {
            await FillOrThrowAsync(10, cts.Token);
            length = (long)BinaryPrimitives.ReadUInt64BigEndian(Pending[2..]);
            header = 10;
        }

        int keyAt = header;
        if (masked)
        {
            header += 4;
        }

        await FillOrThrowAsync(header + (int)length, cts.Token);
        var payload = Pending.Slice(header, (int)length).ToArray();
        if (masked)
        {
            for (int i = 0; i < payload.Length; i++)
            {
                payload[i] ^= Pending[keyAt + (i & 3)];
            }
        }

        var key = masked ? Pending.Slice(keyAt, 4).ToArray() : null;
        _start += header + (int)length;
        var frame = new WireFrame((b0 & 0x80) != 0, b0 & 0x0F, payload, masked, (b0 >> 4) & 0x7)
        {
            HeaderLength = header,
            MaskKey = key,
        };
        if (AnswerPings && frame.Opcode == WireFrame.Ping)
        {
            await SendFrameAsync(WireFrame.Pong, payload, MasksOutgoing);
            return await ReadFrameAsync(timeout);
        }

        return frame;
    }

    /// Reads frames until a Close (answering nothing); null if the stream ended first.
    public async Task<WireFrame?> ReadUntilCloseAsync(TimeSpan? timeout = null, List<WireFrame>? others = null)
    {
        while (await ReadFrameAsync(timeout) is { } frame)
        {
            if (frame.Opcode == WireFrame.Close)
            {
                return frame;
            }

            others?.Add(frame);
        }

        return null;
    }

    /// True if the peer closed the TCP connection (EOF) within the timeout, after any frames it still sent.
    public async Task<bool> WaitForEndAsync(TimeSpan? timeout = null)
    {
        try
        {
            while (await ReadFrameAsync(timeout) is not null)
            {
            }

            return true;
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            return e is IOException;
        }
    }

    private async Task FillOrThrowAsync(int count, CancellationToken cancellationToken)
    {
        if (!await FillAsync(count, cancellationToken))
        {
            throw new IOException("stream ended inside a frame");
        }
    }

    private async Task<bool> FillAsync(int count, CancellationToken cancellationToken)
    {
        while (_end - _start < count)
        {
            if (_data.Length - _end < 16 * 1024 || _data.Length < count)
            {
                // Compact, and grow when one frame needs more room than there is.
                var next = new byte[Math.Max(_data.Length, count + 64 * 1024)];
                Pending.CopyTo(next);
                _end -= _start;
                _start = 0;
                _data = next;
            }

            int read = await Stream.ReadAsync(_data.AsMemory(_end), cancellationToken);
            if (read == 0)
            {
                return false;
            }

            _end += read;
        }

        return true;
    }

    public ValueTask DisposeAsync() => Stream.DisposeAsync();
}
