using Gateway.Fuzz;
using Gateway.Fuzz.Targets;
using SharpFuzz;

// Usage: Gateway.Fuzz <target>              under afl-fuzz (input on stdin, via SharpFuzz's fork server)
//        Gateway.Fuzz <target> <file|dir>   replays saved inputs once each, e.g. a crash from artifacts/fuzz-crashes
var targets = new Dictionary<string, Action<byte[]>>(StringComparer.Ordinal)
{
    ["frame-decoder"] = FrameDecoderTarget.Run,
    ["request-head"] = RequestHeadTarget.Run,
    ["response-head"] = ResponseHeadTarget.Run,
    ["close-payload"] = ClosePayloadTarget.Run,
};

if (args.Length is < 1 or > 2 || !targets.TryGetValue(args[0], out var target))
{
    Console.Error.WriteLine($"usage: Gateway.Fuzz <{string.Join('|', targets.Keys)}> [input file or directory]");
    return 2;
}

if (args.Length == 2)
{
    string[] files = Directory.Exists(args[1]) ? [.. Directory.GetFiles(args[1]).Order(StringComparer.Ordinal)] : [args[1]];
    foreach (var file in files)
    {
        target(File.ReadAllBytes(file));
    }

    Console.WriteLine($"{args[0]}: {files.Length} inputs replayed, no invariant broken");
    return 0;
}

// Out of process: a StackOverflow or a hang kills only the child, which the fork server restarts and reports.
Fuzzer.OutOfProcess.Run(stream =>
{
    using var copy = new MemoryStream();
    stream.CopyTo(copy);
    target(copy.ToArray());
});
return 0;
