using Gateway.Cli;
using Gateway.Configuration;
using Gateway.Hosting;
using Gateway.Operations;
using Microsoft.Extensions.DependencyInjection;

// Command dispatch only; GatewayApp composes the gateway itself.
Gateway.Transport.TransportTuning.EnableInlineSocketCompletions();
var command = CommandLine.Parse(args);
switch (command.Kind)
{
    case CommandKind.Help:
        if (command.Error is not null)
        {
            Console.Error.WriteLine("gateway: " + command.Error);
        }

        (command.Error is null ? Console.Out : Console.Error).WriteLine(CommandLine.Usage);
        return command.Error is null ? 0 : 2;
    case CommandKind.Version:
        Console.WriteLine("gateway " + VersionInfo.Current);
        return 0;
}

var loaded = ConfigLoader.Load(command.ConfigPath);
if (loaded.Config is null)
{
    foreach (var error in loaded.Errors)
    {
        Console.Error.WriteLine(error);
    }

    return 1;
}

if (command.Kind == CommandKind.Check)
{
    Console.WriteLine("config ok");
    return 0;
}

GatewayApp app;
try
{
    app = GatewayApp.Create(loaded.Config);
}
catch (Gateway.Tls.CertificateLoadException e)
{
    Console.Error.WriteLine($"{command.ConfigPath}: {e.Message}");
    return 1;
}

await using var running = app;
try
{
    await app.StartAsync();
}
catch (IOException e)
{
    // Kestrel reports an address in use (or not bindable) as an IOException: say which, without a stack trace.
    Console.Error.WriteLine($"{command.ConfigPath}: cannot listen: {e.Message}");
    return 1;
}

using var reloadSignal = ReloadSignal.Register(app.Services.GetRequiredService<ConfigReloader>());
await app.WaitForShutdownAsync();
await app.StopAsync();
return 0;
