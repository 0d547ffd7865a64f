using System.Diagnostics;
using System.Text;
using Gateway.FunctionalTests.Infrastructure;
using Xunit;

namespace Gateway.FunctionalTests.Tls;

/// TLS 1.3 KeyUpdate (RFC 8446 4.6.3) on a connection the gateway serves: after the client updates its keys, and
/// asks the gateway to update its own, both go on. No .NET client can send one; `openssl s_client` does (its `K`
/// and `k` commands), so this runs it between HTTP requests on one keep-alive connection.
public sealed class KeyUpdateTests : IAsyncLifetime
{
    private GatewayUnderTest _gateway = null!;

    public async Task InitializeAsync() => _gateway = await GatewayUnderTest.ForUpstreamAsync(new Uri("ws://127.0.0.1:9"));

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task Requests_after_key_updates_both_ways_are_answered()
    {
        var info = new ProcessStartInfo("openssl",
            ["s_client", "-connect", _gateway.Wss.Authority, "-servername", "localhost", "-tls1_3", "-crlf"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var client = Process.Start(info)!;
        var output = new StringBuilder();
        // s_client reports KEYUPDATE on stderr, the answers on stdout.
        client.OutputDataReceived += (_, line) => { lock (output) { output.AppendLine(line.Data); } };
        client.ErrorDataReceived += (_, line) => { lock (output) { output.AppendLine(line.Data); } };
        client.BeginOutputReadLine();
        client.BeginErrorReadLine();
        try
        {
            var input = client.StandardInput;
            for (int request = 1; request <= 3; request++)
            {
                await input.WriteAsync($"GET /{request} HTTP/1.1\nHost: localhost\n\n");
                await input.FlushAsync();
                await WaitForAsync(output, "HTTP/1.1 404", request);
                if (request < 3)
                {
                    // K: update our keys and ask the gateway to update its own; k: update ours only.
                    await input.WriteAsync(request == 1 ? "K\n" : "k\n");
                    await input.FlushAsync();
                    await WaitForAsync(output, "KEYUPDATE", request);
                }
            }
        }
        finally
        {
            client.StandardInput.Close();
            if (!client.WaitForExit(5000))
            {
                client.Kill();
            }
        }
    }

    /// Waits until `text` has appeared `count` times in the client's output.
    private static async Task WaitForAsync(StringBuilder output, string text, int count)
    {
        for (int i = 0; i < 100; i++)
        {
            lock (output)
            {
                var all = output.ToString();
                int seen = 0;
                for (int at = all.IndexOf(text, StringComparison.Ordinal); at >= 0; at = all.IndexOf(text, at + 1, StringComparison.Ordinal))
                {
                    seen++;
                }

                if (seen >= count)
                {
                    return;
                }
            }

            await Task.Delay(100);
        }

        lock (output)
        {
            Assert.Fail($"no {count}x \"{text}\" within 10 s; the client wrote:\n{output}");
        }
    }
}
