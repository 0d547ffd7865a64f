namespace Gateway.Configuration;

/// <summary>One problem in a config file, printed as `FILE:LINE:COL: key.path: message` (contract section 1).</summary>
public sealed record ConfigError(string File, int Line, int Column, string KeyPath, string Message)
{
    public override string ToString() => $"{File}:{Line}:{Column}: {KeyPath}: {Message}";
}

/// <summary><see cref="Config"/> is null if and only if there are <see cref="Errors"/>.</summary>
public sealed record ConfigLoadResult(GatewayConfig? Config, IReadOnlyList<ConfigError> Errors);
