using System.Net;
using System.Net.Sockets;

namespace Gateway.FunctionalTests.Infrastructure;

internal static class FreePort
{
    private static readonly HashSet<int> s_handedOut = [];

    /// A loopback port nobody listens on right now (the kernel's pick for port 0), and never one this process was
    /// handed before: the kernel may pick a port again as soon as the listener that had it closes, and a test that
    /// takes several ports at once got the same one twice (admin and demo echo: a config error, a red CI run).
    public static int Next()
    {
        while (true)
        {
            int port;
            using (var listener = new TcpListener(IPAddress.Loopback, 0))
            {
                listener.Start();
                port = ((IPEndPoint)listener.LocalEndpoint).Port;
            }

            lock (s_handedOut)
            {
                if (s_handedOut.Add(port))
                {
                    return port;
                }
            }
        }
    }
}
