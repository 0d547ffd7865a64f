using System.Runtime.InteropServices;

namespace Gateway.Hosting;

/// SIGHUP reloads the configuration (contract section 1), as nginx and HAProxy do; systemd's ExecReload sends it.
/// SIGTERM and SIGINT are the host's: they stop it, and GracefulDrain runs first.
public static class ReloadSignal
{
    public static IDisposable Register(ConfigReloader reloader) =>
        PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            // Cancel the default action, which would end the process.
            context.Cancel = true;
            _ = reloader.ReloadAsync("SIGHUP");
        });
}
