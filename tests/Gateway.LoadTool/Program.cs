using System.Net;
using Gateway.LoadTool.Cli;
using Gateway.LoadTool.Echo;
using Gateway.LoadTool.Report;
using Gateway.LoadTool.Scenarios;
using Gateway.LoadTool.Soak;
using Gateway.LoadTool.Tunnel;

// loadtool echo   --listen 127.0.0.1:18100
// loadtool tunnel --listen 127.0.0.1:18241 --tls-listen 127.0.0.1:18242 --upstream 127.0.0.1:18100 --cert C --key K
// loadtool epoll-tunnel --listen 127.0.0.1:18261 --tls-listen 127.0.0.1:18262 --upstream 127.0.0.1:18100 --cert C --key K
//                       [--frames 1]
// loadtool run    --target NAME --run N --ws URL [--wss URL] [--pid PID] [--scenarios a,b,c,d] [--duration 5]
//                 [--warmup 1] [--idle-sessions 9000] [--idle-hold 0] [--out results.jsonl]
// loadtool report --in results.jsonl --markdown FILE --json FILE [--conditions TEXT]
// loadtool soak   --gateway ws://127.0.0.1:18331/ --gateway-pid PID [--config FILE] [--admin http://127.0.0.1:18339]
//                 [--upstream 127.0.0.1:18400] [--sessions 200] [--minutes 10] [--rate 10] [--chaos-interval 3]
//                 [--sample 30] [--warmup 30] [--settle 10] [--fd-tolerance 8]
const string Usage = "usage: loadtool echo|tunnel|epoll-tunnel|run|report|soak [--option value ...] (see tests/perf/README.md)";
if (args.Length == 0)
{
    Console.Error.WriteLine(Usage);
    return 2;
}

var options = new Options(args.Skip(1));
switch (args[0])
{
    case "echo":
        await UntilStoppedAsync(stop => EchoServer.RunAsync(IPEndPoint.Parse(options.Required("listen")), stop));
        return 0;
    case "tunnel":
        await UntilStoppedAsync(stop => DotnetTunnel.RunAsync(IPEndPoint.Parse(options.Required("listen")),
            IPEndPoint.Parse(options.Required("tls-listen")), IPEndPoint.Parse(options.Required("upstream")),
            options.Required("cert"), options.Required("key"), stop));
        return 0;
    case "epoll-tunnel":
        await UntilStoppedAsync(stop => EpollTunnel.RunAsync(IPEndPoint.Parse(options.Required("listen")),
            IPEndPoint.Parse(options.Required("tls-listen")), IPEndPoint.Parse(options.Required("upstream")),
            options.Required("cert"), options.Required("key"), options.Text("frames") == "1", stop));
        return 0;
    case "run":
        return ScenarioRunner.Run(options);
    case "soak":
        return await SoakRunner.RunAsync(options);
    case "report":
        Reporter.Write(Reporter.Read(options.Required("in")), options.Required("markdown"), options.Required("json"),
            options.Text("conditions") ?? "");
        return 0;
    default:
        Console.Error.WriteLine(Usage);
        return 2;
}

// A server command runs until Ctrl-C or SIGTERM (compare.sh stops its processes with SIGTERM).
static async Task UntilStoppedAsync(Func<CancellationToken, Task> serve)
{
    using var stop = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
    AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();
    try
    {
        await serve(stop.Token);
    }
    catch (OperationCanceledException)
    {
    }
}
