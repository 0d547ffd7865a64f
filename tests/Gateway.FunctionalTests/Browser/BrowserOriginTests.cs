using Gateway.FunctionalTests.Infrastructure;
using Gateway.Testing.Peers;
using Microsoft.Playwright;

namespace Gateway.FunctionalTests.Browser;

/// What a real browser sends: headless Chromium (Debian's package, driven by Playwright) loads a page from an
/// allowed origin, which talks to an echo upstream through wss:// of the gateway, and the same page from another
/// origin, which the gateway refuses before the upstream sees anything. A hand-set Origin header cannot show this.
public sealed class BrowserOriginTests : IAsyncLifetime
{
    private const string ChromiumPath = "/usr/bin/chromium";

    /// Root in a container without a network: no sandbox, no GPU, nothing that phones home. The test certificate is
    /// self-signed, hence --ignore-certificate-errors.
    private static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--ignore-certificate-errors",
    ];

    private readonly ScriptedUpstream _upstream = ScriptedUpstream.Accepting();
    private readonly CancellationTokenSource _stop = new();
    private readonly int _allowedPort = FreePort.Next();
    private readonly int _otherPort = FreePort.Next();
    private GatewayUnderTest _gateway = null!;
    private PageServer _pages = null!;
    private Task _echo = Task.CompletedTask;

    public async Task InitializeAsync()
    {
        _gateway = await GatewayUnderTest.StartAsync($$"""
            routes:
              - name: browser
                upstream: echo
                match: { path: '/ws/{**rest}' }
                origins: ['{{PageServer.OriginOf(_allowedPort)}}']
            upstreams:
              echo: { destinations: ['{{_upstream.Address}}'] }
            """);
        _pages = await PageServer.StartAsync(new Uri(_gateway.Wss, "/ws/browser"), _allowedPort, _otherPort);
        _echo = EchoAsync(_stop.Token);
    }

    public async Task DisposeAsync()
    {
        _stop.Cancel();
        await _gateway.DisposeAsync();
        await _pages.DisposeAsync();
        await _upstream.DisposeAsync();
        await _echo;
    }

    [Fact]
    public async Task Allowed_origin_exchanges_messages_and_other_origin_is_refused()
    {
        Assert.True(File.Exists(ChromiumPath), $"{ChromiumPath} is missing: apt-get install chromium (.ci/run does)");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = ChromiumPath, Args = ChromiumArgs, Headless = true });
        var page = await browser.NewPageAsync();

        Assert.Equal("echo:hello,world", await RunPageAsync(page, PageServer.OriginOf(_allowedPort)));
        Assert.Equal(1, _upstream.ConnectionCount);

        Assert.Equal("closed:1006", await RunPageAsync(page, PageServer.OriginOf(_otherPort)));
        await _gateway.Logs.WaitForAsync("status=403 reason=\"Origin not allowed\"");
        Assert.Equal(1, _upstream.ConnectionCount);
    }

    private static async Task<string> RunPageAsync(IPage page, string origin)
    {
        await page.GotoAsync(origin + "/");
        await page.WaitForFunctionAsync("() => window.result !== undefined", null, new() { Timeout = 15_000 });
        return await page.EvaluateAsync<string>("window.result");
    }

    /// The upstream echoes text messages and answers a Close, like any echo server.
    private async Task EchoAsync(CancellationToken cancellationToken)
    {
        try
        {
            var (_, frames) = await _upstream.AcceptAsync(TimeSpan.FromSeconds(30));
            await using (frames)
            {
                while (!cancellationToken.IsCancellationRequested && await frames.ReadFrameAsync(TimeSpan.FromSeconds(30)) is { } frame)
                {
                    if (frame.Opcode == WireFrame.Close)
                    {
                        await frames.SendFrameAsync(WireFrame.Close, frame.Payload, mask: false);
                        return;
                    }

                    await frames.SendFrameAsync(frame.Opcode, frame.Payload, mask: false, fin: frame.Fin);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
        }
    }
}
