using System.IO.Pipelines;
using System.Net.Sockets;
using Gateway.Relay;
using Gateway.Testing.Frames;
using Gateway.Testing.Peers;
using Gateway.Tests.Transport;

namespace Gateway.Tests.Relay;

/// One frame a test peer sends, as written by RawFrame. Masked null: what its side must do (a client masks).
internal sealed record SentFrame(bool Fin, int Opcode, byte[] Payload, int Rsv = 0, bool? Masked = null,
    int LengthBytes = RawFrame.MinimalLength, ulong? AnnouncedLength = null);

/// The first frame the relay must reject (index into the ending side's frames) and the close code naming it.
internal sealed record Violation(int AtFrame, int Code);

/// What both peers of one session send. The side that does not end it sends first, and all of that is relayed
/// before the ending side sends, so the order of what each peer receives is fixed whatever the delivery; the
/// ending side's frames end in a Close or in `Violation`.
internal sealed record Exchange(string Name, Side Ends, SentFrame[] FromClient, SentFrame[] FromUpstream,
    Violation? Violation = null, long MaxFrameSize = 1 << 20, long MaxMessageSize = 1 << 20)
{
    public SentFrame[] From(Side side) => side == Side.Client ? FromClient : FromUpstream;

    public override string ToString() => Name;
}

/// What each peer received (the Close and anything after it included) and how the session said it ended.
internal sealed record Outcome(IReadOnlyList<WireFrame> AtClient, IReadOnlyList<WireFrame> AtUpstream, RelayResult Result)
{
    public IReadOnlyList<WireFrame> At(Side side) => side == Side.Client ? AtClient : AtUpstream;
}

/// Runs an exchange through a real RelaySession, each side's bytes cut into writes by `chunks`: over in-memory pipes
/// (each write relayed before the next is made: the pipes resume the relay inline) or over loopback TCP, where
/// the relay reads its sockets on demand (SocketPipe's SocketReader).
internal static class FramePathRun
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// SentFrame after the first side's frames; its Pong says all of them have been relayed.
    private static readonly byte[] Marker = "all relayed"u8.ToArray();

    public static async Task<Outcome> RunAsync(Exchange exchange, Func<byte[], IEnumerable<byte[]>> chunks, bool overSockets)
    {
        await using var wires = overSockets ? await Wires.OverSocketsAsync() : Wires.OverPipes();
        var run = new RelaySession(wires.ClientLeg, wires.UpstreamLeg, FramePathEquivalenceTests.LimitsFor(exchange))
            .RunAsync().AsTask();
        var (first, ending) = exchange.Ends == Side.Client ? (wires.Upstream, wires.Client) : (wires.Client, wires.Upstream);
        var firstReads = first.ReadAllAsync();
        var endingReads = ending.ReadAllAsync();

        var firstBytes = WireBytes(first.Side, exchange.From(first.Side));
        if (firstBytes.Length > 0)
        {
            foreach (var chunk in chunks(firstBytes))
            {
                await first.SendAsync(chunk);
            }

            await first.SendAsync(Frame(first.Side, new SentFrame(true, WireFrame.Ping, Marker)));
            await first.MarkerPong.Task.WaitAsync(Timeout);
        }

        foreach (var chunk in chunks(WireBytes(ending.Side, exchange.From(ending.Side))))
        {
            if (!await ending.TrySendAsync(chunk))
            {
                break; // the relay has stopped reading after the violation
            }
        }

        // A polite peer answers the Close it gets (the ending side's Close, or the gateway's) with the same code.
        var closeAtFirst = await first.Close.Task.WaitAsync(Timeout);
        await first.TrySendAsync(Frame(first.Side, new SentFrame(true, WireFrame.Close, Echo(closeAtFirst.Payload))));
        await ending.Close.Task.WaitAsync(Timeout);
        first.EndOutput();
        ending.EndOutput();

        var atFirst = await firstReads.WaitAsync(Timeout);
        var atEnding = await endingReads.WaitAsync(Timeout);
        var result = await run.WaitAsync(Timeout);
        return first.Side == Side.Client ? new(atFirst, atEnding, result) : new(atEnding, atFirst, result);
    }

    /// The reply to a Close: its code with a reason of our own, or nothing to a Close without a status.
    public static byte[] Echo(byte[] close) => close.Length < 2 ? [] : [.. close.AsSpan(0, 2), .. "echo"u8];

    public static byte[] WireBytes(Side from, SentFrame[] frames) =>
        RawFrame.Concat([.. frames.Select((frame, i) => Frame(from, frame, i))]);

    private static byte[] Frame(Side from, SentFrame frame, int index = 0)
    {
        byte[]? key = (frame.Masked ?? from == Side.Client) ? [(byte)(0x5A + index), 0x0F, (byte)(index * 37), 0xC3] : null;
        return RawFrame.Build(frame.Fin, frame.Opcode, frame.Payload, key, frame.Rsv, frame.LengthBytes, frame.AnnouncedLength);
    }

    /// A test peer: writes its bytes as told, reads everything the relay sends it until the end of the stream.
    private sealed class Peer(Side side, Stream writes, FrameStream reads, Action endOutput)
    {
        public Side Side => side;
        public TaskCompletionSource MarkerPong { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource<WireFrame> Close { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task SendAsync(byte[] bytes) => writes.WriteAsync(bytes).AsTask();

        /// False once the relay no longer takes bytes from this peer (after a violation, or the session's end).
        public async Task<bool> TrySendAsync(byte[] bytes)
        {
            try
            {
                await writes.WriteAsync(bytes);
                return true;
            }
            catch (Exception e) when (e is IOException or SocketException or InvalidOperationException or ObjectDisposedException)
            {
                return false;
            }
        }

        public void EndOutput() => endOutput();

        public async Task<List<WireFrame>> ReadAllAsync()
        {
            var frames = new List<WireFrame>();
            while (await reads.ReadFrameAsync() is { } frame)
            {
                if (frame.Opcode == WireFrame.Pong && frame.Payload.AsSpan().SequenceEqual(Marker))
                {
                    MarkerPong.TrySetResult();
                    continue;
                }

                frames.Add(frame);
                if (frame.Opcode == WireFrame.Close)
                {
                    Close.TrySetResult(frame);
                }
            }

            Close.TrySetException(new IOException($"{side}: the relay ended the stream without a Close"));
            return frames;
        }
    }

    /// Both legs of a session and the test's peer at the far end of each.
    private sealed class Wires(IDuplexPipe clientLeg, IDuplexPipe upstreamLeg, Peer client, Peer upstream,
        Func<ValueTask> dispose) : IAsyncDisposable
    {
        public IDuplexPipe ClientLeg => clientLeg;
        public IDuplexPipe UpstreamLeg => upstreamLeg;
        public Peer Client => client;
        public Peer Upstream => upstream;

        /// The relay reads each pipe inline on the write that fills it: a split of the bytes is a split of its reads.
        public static Wires OverPipes()
        {
            var inline = new PipeOptions(readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline,
                useSynchronizationContext: false);
            var (clientIn, clientOut, upstreamIn, upstreamOut) = (new Pipe(inline), new Pipe(), new Pipe(inline), new Pipe());
            var clientWrites = clientIn.Writer.AsStream();
            var upstreamWrites = upstreamIn.Writer.AsStream();
            return new Wires(new DuplexPipe(clientIn.Reader, clientOut.Writer), new DuplexPipe(upstreamIn.Reader, upstreamOut.Writer),
                new Peer(Side.Client, clientWrites, new FrameStream(clientOut.Reader.AsStream()), clientWrites.Dispose),
                new Peer(Side.Upstream, upstreamWrites, new FrameStream(upstreamOut.Reader.AsStream()), upstreamWrites.Dispose),
                () => default);
        }

        public static async Task<Wires> OverSocketsAsync()
        {
            var (clientLocal, clientPeer) = await Loopback.ConnectAsync();
            var (upstreamLocal, upstreamPeer) = await Loopback.ConnectAsync();
            var clientLeg = new Gateway.Transport.SocketPipe(clientLocal, readOnDemand: true);
            var upstreamLeg = new Gateway.Transport.SocketPipe(upstreamLocal, readOnDemand: true);
            return new Wires(clientLeg, upstreamLeg, SocketPeer(Side.Client, clientPeer), SocketPeer(Side.Upstream, upstreamPeer),
                async () =>
                {
                    await clientLeg.DisposeAsync();
                    await upstreamLeg.DisposeAsync();
                    clientPeer.Dispose();
                    upstreamPeer.Dispose();
                });
        }

        private static Peer SocketPeer(Side side, Socket socket)
        {
            socket.NoDelay = true; // small sends leave one by one
            var stream = new NetworkStream(socket, ownsSocket: false);
            return new Peer(side, stream, new FrameStream(stream), () => socket.Shutdown(SocketShutdown.Send));
        }

        public ValueTask DisposeAsync() => dispose();
    }
}
