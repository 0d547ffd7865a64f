namespace Gateway.Transport;

/// How the gateway's sockets run.
///
/// The relay and the upgrade path are asynchronous end to end and never block a thread, so their continuations
/// run inline on the socket event threads (Transport/SocketEventLoop, and .NET's own for accepts and the HTTP
/// proxy's sockets) instead of hopping to the thread pool: a relayed message then costs a
/// read, a parse and a write on one thread, with no wake-up of another thread in between (the saving is in
/// tests/perf/README.md, "Why the code is as it is"). The cost: a handshake's CPU work (TLS, about a millisecond) delays other
/// sessions on the same event thread by as much, as it would in nginx's or HAProxy's event loops. The other half of
/// inlining is in SocketPipe: its pipes resume readers and writers on the thread that completed the socket operation.
public static class TransportTuning
{
    private const string InlineCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// .NET reads this once, at the first asynchronous socket operation of the process, so Program.cs calls this
    /// first thing. An operator's own setting (0) wins. Tests that host the gateway in-process skip it: their own
    /// test code shares the process and may block.
    public static void EnableInlineSocketCompletions()
    {
        if (Environment.GetEnvironmentVariable(InlineCompletionsVariable) is null)
        {
            Environment.SetEnvironmentVariable(InlineCompletionsVariable, "1");
        }
    }
}
