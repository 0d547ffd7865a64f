using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Gateway.Configuration.Yaml;

/// <summary>
/// Reads YAML text into a positioned <see cref="ConfigNode"/> tree with YamlDotNet's parser events. Events rather
/// than YamlStream because YamlStream throws at the first duplicate key; here each duplicate is one error and
/// reading goes on. A syntax error ends reading (the parser cannot resynchronise) and is one error at its mark.
/// </summary>
internal sealed class YamlTreeReader
{
    /// <summary>Key path printed for syntax errors, which belong to the text rather than to a key.</summary>
    public const string SyntaxKeyPath = "(yaml)";

    private readonly Parser parser;
    private readonly ConfigErrorCollector errors;
    private readonly Dictionary<string, ConfigNode> anchors = new(StringComparer.Ordinal);
    private Mark lastMark = Mark.Empty;

    private YamlTreeReader(string text, ConfigErrorCollector errors)
    {
        parser = new Parser(new StringReader(text));
        this.errors = errors;
    }

    /// <summary>
    /// The document's root; an empty mapping at 1:1 for a file with no content; null (and one error added) when
    /// the text is not valid YAML.
    /// </summary>
    public static ConfigNode? Read(string text, ConfigErrorCollector errors)
    {
        var reader = new YamlTreeReader(text, errors);
        try
        {
            return reader.ReadStream();
        }
        catch (YamlException e)
        {
            var (line, column) = (ToInt(e.Start.Line), ToInt(e.Start.Column));
            // YamlDotNet marks a tab in indentation at the start of the enclosing mapping, often line 1;
            // the tab itself is what the reader has to find.
            if (e.Message.Contains("tab", StringComparison.Ordinal) && FindIndentingTab(text, line) is { } tab)
                (line, column) = tab;
            errors.Add(line, column, SyntaxKeyPath, e.Message + FlowHint(e.Message));
            return null;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet 16.3's scanner throws this instead of a YamlException for some broken input (an unclosed
            // flow list followed by a `key: value` line). The last good event is the best position we have.
            errors.Add(ToInt(reader.lastMark.Line), ToInt(reader.lastMark.Column), SyntaxKeyPath,
                "invalid YAML after this point; check that every `[`, `{` and quote is closed");
            return null;
        }
    }

    private ConfigNode ReadStream()
    {
        Next(); // onto StreamStart
        Next(); // onto the first DocumentStart, or StreamEnd for a file of only comments
        if (parser.Current is StreamEnd)
            return EmptyDocument();
        Next(); // onto the root node
        var root = ReadNode(KeyPath.Root);
        Next(); // past DocumentEnd
        if (parser.Current is DocumentStart second)
            errors.Add(ToInt(second.Start.Line), ToInt(second.Start.Column), SyntaxKeyPath,
                "only one YAML document is allowed in a config file; remove this `---` and what follows, or merge it");
        return root is ConfigScalar { IsNull: true } ? EmptyDocument() : root;
    }

    private static ConfigMapping EmptyDocument() => new(1, 1, []);

    private ConfigNode ReadNode(KeyPath path)
    {
        var current = parser.Current!;
        var (line, column) = (ToInt(current.Start.Line), ToInt(current.Start.Column));
        switch (current)
        {
            case AnchorAlias alias:
                Next();
                if (anchors.TryGetValue(alias.Value.Value, out var target))
                    return target;
                // Almost always `*:8443` or `*.example.com` written without quotes, so say that, and carry on
                // with the text that was meant so the value is not reported a second time as missing.
                var text = $"*{alias.Value.Value}";
                errors.Add(line, column, path.ToString(),
                    $"`{text}` reads as a YAML alias and no `&{alias.Value.Value}` anchor precedes it; quote a value that starts with `*`: '{text}'");
                return new ConfigScalar(line, column, text, IsPlain: false);
            case Scalar scalar:
                Next();
                return Remember(scalar.Anchor, new ConfigScalar(line, column, scalar.Value, scalar.Style == ScalarStyle.Plain));
            case SequenceStart start:
                Next();
                var items = new List<ConfigNode>();
                while (parser.Current is not SequenceEnd)
                    items.Add(ReadNode(path.Index(items.Count)));
                Next();
                return Remember(start.Anchor, new ConfigSequence(line, column, items));
            case MappingStart start:
                Next();
                return Remember(start.Anchor, ReadMappingEntries(line, column, path));
            default:
                throw new InvalidOperationException($"unexpected YAML event {current.GetType().Name}");
        }
    }

    private ConfigMapping ReadMappingEntries(int line, int column, KeyPath path)
    {
        var entries = new List<ConfigEntry>();
        var firstByKey = new Dictionary<string, ConfigScalar>(StringComparer.Ordinal);
        while (parser.Current is not MappingEnd)
        {
            var keyNode = ReadNode(path);
            if (keyNode is not ConfigScalar key)
            {
                errors.Add(keyNode, path, $"a key must be plain text, not {keyNode.Describe()}");
                ReadNode(path);
                continue;
            }
            var value = ReadNode(path.Key(key.Value));
            if (firstByKey.TryGetValue(key.Value, out var first))
            {
                errors.Add(key, path.Key(key.Value),
                    $"duplicate key `{key.Value}` (first defined at line {first.Line}, column {first.Column}); remove one");
                continue;
            }
            firstByKey.Add(key.Value, key);
            entries.Add(new ConfigEntry(key, value));
        }
        Next();
        return new ConfigMapping(line, column, entries);
    }

    private ConfigNode Remember(AnchorName anchor, ConfigNode node)
    {
        if (!anchor.IsEmpty)
            anchors[anchor.Value] = node;
        return node;
    }

    /// <summary>Moves past the current event, remembering where it was for errors the parser gives no mark for.</summary>
    private void Next()
    {
        if (parser.Current is { } current)
            lastMark = current.Start;
        parser.MoveNext();
    }

    /// <summary>
    /// Route templates such as /ws/{**rest} are the usual way into this error: inside { } or [ ] their braces
    /// end the collection early (YAML 1.2 section 7.3.3).
    /// </summary>
    private static string FlowHint(string message) =>
        message.Contains("flow", StringComparison.Ordinal)
            ? " Inside { } or [ ], quote values that contain braces, brackets or commas: path: '/ws/{**rest}'."
            : "";

    /// <summary>YAML 1.2 section 6.1: indentation is spaces only. The first line from <paramref name="fromLine"/> breaking that.</summary>
    private static (int Line, int Column)? FindIndentingTab(string text, int fromLine)
    {
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        for (var index = Math.Max(fromLine, 1) - 1; index < lines.Length; index++)
        {
            var indentation = lines[index].Length - lines[index].TrimStart(' ', '\t').Length;
            var tab = lines[index].IndexOf('\t', 0, indentation);
            if (tab >= 0)
                return (index + 1, tab + 1);
        }
        return null;
    }

    private static int ToInt(long value) => (int)Math.Clamp(value, 0, int.MaxValue);
}
