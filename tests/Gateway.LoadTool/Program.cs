using System.Net;
using Gateway.LoadTool.Cli;
using Gateway.LoadTool.Echo;
using Gateway.LoadTool.Report;
using Gateway.LoadTool.Scenarios;

// loadtool echo   --listen 127.0.0.1:18100
// loadtool run    --target NAME --run N --ws URL [--wss URL] [--pid PID] [--scenarios a,b,c,d] [--duration 5]
//                 [--warmup 1] [--idle-sessions 9000] [--idle-hold 0] [--out results.jsonl]
// loadtool report --in results.jsonl --markdown FILE --json FILE [--conditions TEXT]
const string Usage = "usage: loadtool echo|run|report [--option value ...] (see tests/perf/README.md)";
if (args.Length == 0)
{
    Console.Error.WriteLine(Usage);
    return 2;
}

var options = new Options(args.Skip(1));
switch (args[0])
{
    case "echo":
        using (var stop = new CancellationTokenSource())
        {
            Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
            AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();
            try
            {
                await EchoServer.RunAsync(IPEndPoint.Parse(options.Required("listen")), stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }

        return 0;
    case "run":
        return ScenarioRunner.Run(options);
    case "report":
        Reporter.Write(Reporter.Read(options.Required("in")), options.Required("markdown"), options.Required("json"),
            options.Text("conditions") ?? "");
        return 0;
    default:
        Console.Error.WriteLine(Usage);
        return 2;
}
