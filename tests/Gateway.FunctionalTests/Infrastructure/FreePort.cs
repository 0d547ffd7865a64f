using System.Net;
using System.Net.Sockets;

namespace Gateway.FunctionalTests.Infrastructure;

internal static class FreePort
{
    /// A loopback port nobody listens on right now (the kernel's pick for port 0).
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
