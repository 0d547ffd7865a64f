namespace Gateway.Cli;

public enum CommandKind
{
    Run,
    Check,
    Version,
    Help,
}

/// `gateway [--config PATH]`, `gateway check --config PATH`, `gateway version` (contract section 1).
public sealed record CommandLine(CommandKind Kind, string ConfigPath, string? Error = null)
{
    public const string DefaultConfigPath = "gateway.yaml";

    public const string Usage = """
        usage:
          gateway [--config PATH]          run (default PATH: ./gateway.yaml)
          gateway check --config PATH      validate the configuration and exit (0: ok, 1: errors)
          gateway version                  print the version
        """;

    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        var kind = CommandKind.Run;
        string config = DefaultConfigPath;
        int i = 0;
        if (args.Count > 0 && !args[0].StartsWith('-'))
        {
            switch (args[0])
            {
                case "check": kind = CommandKind.Check; break;
                case "version": kind = CommandKind.Version; break;
                case "help": kind = CommandKind.Help; break;
                default: return new CommandLine(CommandKind.Help, config, $"unknown command `{args[0]}`");
            }

            i = 1;
        }

        for (; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--config" or "-c" when i + 1 < args.Count:
                    config = args[++i];
                    break;
                case var a when a.StartsWith("--config=", StringComparison.Ordinal):
                    config = a["--config=".Length..];
                    break;
                case "--help" or "-h":
                    return new CommandLine(CommandKind.Help, config);
                case "--version":
                    return new CommandLine(CommandKind.Version, config);
                default:
                    return new CommandLine(CommandKind.Help, config, $"unexpected argument `{args[i]}`");
            }
        }

        return new CommandLine(kind, config);
    }
}
