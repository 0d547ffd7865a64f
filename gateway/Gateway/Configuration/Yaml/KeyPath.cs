namespace Gateway.Configuration.Yaml;

/// <summary>A dotted key path with list indexes, as errors print it: `routes[1].limits.max_message_size`.</summary>
internal readonly record struct KeyPath
{
    private readonly string? text;

    private KeyPath(string text) => this.text = text;

    public static KeyPath Root => default;

    /// <summary>Shown for errors about the document as a whole, where there is no key to name.</summary>
    public const string RootText = "(root)";

    public bool IsRoot => string.IsNullOrEmpty(text);

    public KeyPath Key(string key) => new(IsRoot ? key : $"{text}.{key}");

    public KeyPath Index(int index) => new($"{text}[{index}]");

    public override string ToString() => IsRoot ? RootText : text!;
}
