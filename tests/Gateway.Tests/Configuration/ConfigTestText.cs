using Gateway.Configuration;

namespace Gateway.Tests.Configuration;

/// <summary>
/// Valid sections to put after the section a test is about, so the snippet under test starts on line 1 and the
/// line numbers in expected errors can be read off the snippet itself.
/// </summary>
internal static class ConfigTestText
{
    public const string FileName = "gw.yaml";
    public const string BaseDirectory = "/etc/gateway";

    public const string Listen = "listen:\n  - address: 127.0.0.1:8080\n";
    public const string Routes = "routes:\n  - name: chat\n    match: { path: /ws }\n    upstream: chat\n";
    public const string Upstreams = "upstreams:\n  chat: { destinations: [\"ws://127.0.0.1:9000\"] }\n";

    public static ConfigLoadResult Load(string yaml) => ConfigLoader.LoadFromText(yaml, FileName, BaseDirectory);

    /// <summary>The errors as the command line prints them.</summary>
    public static string[] Errors(string yaml) => [.. Load(yaml).Errors.Select(e => e.ToString())];

    /// <summary>Loads text that must be valid, failing with its errors otherwise.</summary>
    public static GatewayConfig Valid(string yaml)
    {
        var result = Load(yaml);
        Assert.True(result.Errors.Count == 0, string.Join("\n", result.Errors));
        return result.Config!;
    }
}
