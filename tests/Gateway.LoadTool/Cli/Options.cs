using System.Globalization;

namespace Gateway.LoadTool.Cli;

/// `--name value` pairs after the command word.
public sealed class Options
{
    private readonly Dictionary<string, string> _values = [];

    public Options(IEnumerable<string> args)
    {
        string? name = null;
        foreach (var arg in args)
        {
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                name = arg[2..];
                _values[name] = "";
            }
            else if (name is not null)
            {
                _values[name] = arg;
                name = null;
            }
            else
            {
                throw new ArgumentException($"unexpected argument '{arg}'");
            }
        }
    }

    public string? Text(string name) => _values.GetValueOrDefault(name) is { Length: > 0 } value ? value : null;

    public string Required(string name) => Text(name) ?? throw new ArgumentException($"--{name} is required");

    public int Int(string name, int fallback) =>
        Text(name) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    public TimeSpan Seconds(string name, double fallback) =>
        TimeSpan.FromSeconds(Text(name) is { } value ? double.Parse(value, CultureInfo.InvariantCulture) : fallback);
}
