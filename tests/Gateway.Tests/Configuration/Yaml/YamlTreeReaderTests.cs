using Gateway.Configuration;
using Gateway.Configuration.Yaml;
using static Gateway.Tests.Configuration.ConfigTestText;

namespace Gateway.Tests.Configuration.Yaml;

public sealed class YamlTreeReaderTests
{
    [Fact]
    public void Nodes_carry_one_based_positions_and_key_order()
    {
        var errors = new ConfigErrorCollector("t.yaml");

        var root = (ConfigMapping)YamlTreeReader.Read("a: 1\nb:\n  - x\n  - { c: 'd' }\n", errors)!;

        Assert.Equal(0, errors.Count);
        Assert.Equal(["a", "b"], root.Entries.Select(e => e.Key.Value));
        Assert.Equal((1, 4, "1", true), root.Entries[0].Value is ConfigScalar s ? (s.Line, s.Column, s.Value, s.IsPlain) : default);
        var list = (ConfigSequence)root.Entries[1].Value;
        Assert.Equal((3, 3), (list.Line, list.Column));
        var inner = (ConfigMapping)list.Items[1];
        Assert.Equal((4, 5), (inner.Line, inner.Column));
        Assert.Equal((4, 10, "d", false), inner.Entries[0].Value is ConfigScalar d ? (d.Line, d.Column, d.Value, d.IsPlain) : default);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# only a comment\n")]
    [InlineData("---\n")]
    public void File_without_content_reads_as_an_empty_mapping_at_the_start(string text)
    {
        var errors = new ConfigErrorCollector("t.yaml");

        var root = Assert.IsType<ConfigMapping>(YamlTreeReader.Read(text, errors));

        Assert.Equal(0, errors.Count);
        Assert.Empty(root.Entries);
        Assert.Equal((1, 1), (root.Line, root.Column));
    }

    [Fact]
    public void Unclosed_quote_is_one_error_at_the_parser_mark()
    {
        Assert.Equal(["gw.yaml:2:14: (yaml): While scanning a multi-line double-quoted scalar, found wrong indentation."],
            Errors("listen:\n  - address: \"127.0.0.1:8080\n" + Routes + Upstreams));
    }

    [Fact]
    public void Value_after_a_value_is_a_syntax_error_where_the_second_colon_is()
    {
        Assert.Equal(["gw.yaml:1:10: (yaml): While scanning a plain scalar value, found invalid mapping."],
            Errors("listen: a: b\n"));
    }

    [Fact]
    public void Unquoted_template_inside_braces_gets_a_quoting_hint()
    {
        Assert.Equal(["gw.yaml:3:24: (yaml): While parsing a flow mapping, did not find expected ',' or '}'. " +
            "Inside { } or [ ], quote values that contain braces, brackets or commas: path: '/ws/{**rest}'."],
            Errors("routes:\n  - name: chat\n    match: { path: /ws/{**rest} }\n    upstream: chat\n"));
    }

    [Fact]
    public void Tab_indentation_is_reported_at_the_tab_not_where_the_parser_marks_it()
    {
        Assert.Equal(["gw.yaml:4:1: (yaml): While scanning a mapping, found invalid tab as indentation."],
            Errors(Listen + "routes:\n\t- name: chat\n" + Upstreams));
    }

    [Fact]
    public void Unclosed_flow_list_before_a_key_line_is_reported_not_thrown()
    {
        // YamlDotNet 16.3 throws InvalidOperationException here rather than a YamlException.
        Assert.Equal(["gw.yaml:8:25: (yaml): invalid YAML after this point; check that every `[`, `{` and quote is closed"],
            Errors(Listen + Routes + "upstreams:\n  chat: { destinations: [ws://127.0.0.1:9000\n  other: 1\n"));
    }

    [Fact]
    public void Duplicate_key_is_reported_at_the_second_one_and_reading_goes_on()
    {
        Assert.Equal([
            "gw.yaml:5:5: routes[0].name: duplicate key `name` (first defined at line 4, column 5); remove one",
            "gw.yaml:6:20: routes[0].match.path: must start with `/`, like /ws/{**rest}; got `ws`",
        ], Errors(Listen + "routes:\n  - name: chat\n    name: chat2\n    match: { path: ws }\n    upstream: chat\n" + Upstreams));
    }

    [Fact]
    public void Duplicate_top_level_section_is_reported()
    {
        Assert.Equal(["gw.yaml:9:1: listen: duplicate key `listen` (first defined at line 1, column 1); remove one"],
            Errors(Listen + Routes + Upstreams + "listen:\n  - address: 127.0.0.1:9090\n"));
    }

    [Fact]
    public void Second_document_is_an_error()
    {
        Assert.Equal(["gw.yaml:9:1: (yaml): only one YAML document is allowed in a config file; remove this `---` and what follows, or merge it"],
            Errors(Listen + Routes + Upstreams + "---\nlisten: []\n"));
    }

    [Fact]
    public void Aliases_reuse_the_anchored_node()
    {
        var config = Valid(Listen + """
            defaults:
              limits: &small { max_frame_size: 1KiB }
            routes:
              - name: a
                match: { path: /a }
                upstream: chat
                limits: *small
            """ + "\n" + Upstreams);

        Assert.Equal(1024, config.Routes[0].Limits.Relay.FrameLimits.MaxFrameSize);
    }

    [Fact]
    public void Unquoted_star_value_is_one_error_saying_to_quote_it()
    {
        Assert.Equal([
            "gw.yaml:2:14: listen[0].address: `*:443` reads as a YAML alias and no `&:443` anchor precedes it; quote a value that starts with `*`: '*:443'",
            "gw.yaml:5:31: routes[0].match.host: `*.example.com` reads as a YAML alias and no `&.example.com` anchor precedes it; quote a value that starts with `*`: '*.example.com'",
        ], Errors("listen:\n  - address: *:443\nroutes:\n  - name: chat\n    match: { path: /ws, host: *.example.com }\n    upstream: chat\n" + Upstreams));
    }

    [Fact]
    public void Non_text_key_is_reported()
    {
        Assert.Equal(["gw.yaml:9:3: (root): a key must be plain text, not a list"],
            Errors(Listen + Routes + Upstreams + "? [a, b]\n: c\n"));
    }

    [Fact]
    public void Broken_variations_of_a_valid_file_never_throw()
    {
        // Deleting, duplicating and replacing single characters reaches most of the parser's error paths.
        var valid = Listen + "defaults: { limits: { max_frame_size: 1KiB } }\n" + Routes + Upstreams + "demo: { echo_address: '127.0.0.1:9001' }\n";
        const string Replacements = " \t\n:-[]{},'\"&*!|>#?%@`";
        var random = new Random(6455);
        for (var i = 0; i < 2000; i++)
        {
            var chars = new List<char>(valid);
            for (var edits = random.Next(1, 4); edits > 0; edits--)
            {
                var at = random.Next(chars.Count);
                switch (random.Next(3))
                {
                    case 0: chars.RemoveAt(at); break;
                    case 1: chars.Insert(at, chars[at]); break;
                    default: chars[at] = Replacements[random.Next(Replacements.Length)]; break;
                }
            }
            var text = new string([.. chars]);

            var result = ConfigLoader.LoadFromText(text, FileName, BaseDirectory);

            Assert.True(result.Config is null != (result.Errors.Count == 0), text);
            Assert.All(result.Errors, e => Assert.True(e.Line >= 1 && e.Column >= 1, $"{e} in:\n{text}"));
        }
    }
}
