using System.Globalization;

namespace Gateway.LoadTool.Measure;

/// The whole machine's CPU time from the first line of /proc/stat, for the share the hypervisor stole ("steal":
/// time a virtual CPU was ready but the host ran something else). On a shared VM that share moves from 0 to 50%
/// within a minute, and in a window with much of it every figure came out worse, the proxy's own CPU time per
/// message included, whichever target was running.
public readonly record struct MachineClock(long StealTicks, long AllTicks)
{
    public static MachineClock Read()
    {
        try
        {
            string? line = File.ReadLines("/proc/stat").FirstOrDefault();
            if (line is null || !line.StartsWith("cpu ", StringComparison.Ordinal))
            {
                return default;
            }

            // user nice system idle iowait irq softirq steal (guest time is already inside user and nice).
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8)
                .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
            return fields.Length < 8 ? default : new MachineClock(fields[7], fields.Sum());
        }
        catch (IOException)
        {
            return default;
        }
    }

    /// Percent of the machine's CPU time stolen between two readings; NaN when /proc/stat was not readable.
    public static double StealPercent(MachineClock from, MachineClock to) =>
        to.AllTicks > from.AllTicks ? 100.0 * (to.StealTicks - from.StealTicks) / (to.AllTicks - from.AllTicks) : double.NaN;
}
