using System.Diagnostics;
using Gateway.Testing.Peers;

namespace Gateway.FunctionalTests.Operations;

/// config/gateway.service passes `systemd-analyze verify` (Debian package `systemd`; .ci/run installs it). The
/// check runs against a scratch root holding the system's units and stand-ins for the unit's executables, because
/// verify also checks that ExecStart's binary exists, and it is not installed on a build machine.
public sealed class SystemdUnitTests
{
    private static string UnitPath => Path.Combine(RepositoryPaths.Root, "config", "gateway.service");

    [Fact]
    public async Task Unit_file_verifies_without_a_single_warning()
    {
        var (exit, output) = await VerifyAsync(File.ReadAllText(UnitPath));

        Assert.True(exit == 0 && output.Length == 0, $"exit {exit}:\n{output}");
    }

    [Fact]
    public async Task A_mistake_in_the_unit_is_reported()
    {
        var broken = File.ReadAllText(UnitPath).Replace("ProtectSystem=strict", "ProtectSystem=strictest").Replace("Type=notify", "Tpye=notify");

        var (_, output) = await VerifyAsync(broken);

        Assert.Contains("Unknown key 'Tpye'", output);
        Assert.Contains("strictest", output);
    }

    [Fact]
    public void Unit_runs_the_drain_within_its_stop_timeout_as_a_notify_service()
    {
        var unit = File.ReadAllLines(UnitPath).Where(l => l.Contains('=') && !l.StartsWith('#')).ToLookup(l => l[..l.IndexOf('=')], l => l[(l.IndexOf('=') + 1)..]);

        Assert.Equal("notify", unit["Type"].Single());
        Assert.Contains("/bin/kill -HUP $MAINPID", unit["ExecReload"]);
        // The default 30s grace plus the 5s the host gives Kestrel afterwards must fit before systemd's SIGKILL.
        Assert.True(Seconds(unit["TimeoutStopSec"].Single()) > 35);
        Assert.Equal("CAP_NET_BIND_SERVICE", unit["AmbientCapabilities"].Single());
        Assert.Equal("strict", unit["ProtectSystem"].Single());
    }

    private static int Seconds(string value) => int.Parse(value.TrimEnd('s'), System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<(int Exit, string Output)> VerifyAsync(string unitText)
    {
        var root = Directory.CreateTempSubdirectory("gateway-unit-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "etc/systemd/system"));
            Directory.CreateDirectory(Path.Combine(root, "usr/local/bin"));
            Directory.CreateDirectory(Path.Combine(root, "bin"));
            Directory.CreateDirectory(Path.Combine(root, "usr/lib/systemd/system"));
            foreach (var file in Directory.GetFiles("/usr/lib/systemd/system"))
            {
                var target = Path.Combine(root, "usr/lib/systemd/system", Path.GetFileName(file));
                if (new FileInfo(file).LinkTarget is not { } link)
                {
                    File.Copy(file, target);
                }
                else if (!Path.IsPathRooted(link))
                {
                    // Aliases (default.target, ...) point at their neighbours; absolute links would leave the root.
                    File.CreateSymbolicLink(target, link);
                }
            }

            foreach (var executable in new[] { "usr/local/bin/gateway", "bin/kill" })
            {
                File.WriteAllText(Path.Combine(root, executable), "#!/bin/sh\n");
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(Path.Combine(root, executable), UnixFileMode.UserRead | UnixFileMode.UserExecute);
                }
            }

            File.WriteAllText(Path.Combine(root, "etc/systemd/system/gateway.service"), unitText);
            var info = new ProcessStartInfo("systemd-analyze", ["verify", "--root=" + root, "gateway.service"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(info)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, (await output + await error).Trim());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
