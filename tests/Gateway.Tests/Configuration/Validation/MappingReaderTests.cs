using System.Reflection;
using Gateway.Configuration;
using Gateway.Configuration.Validation;
using Gateway.Configuration.Yaml;
using static Gateway.Tests.Configuration.ConfigTestText;

namespace Gateway.Tests.Configuration.Validation;

public sealed class MappingReaderTests
{
    private static readonly ConfigSection Section = new("test", ["alpha", "beta"], NotYetSupported: ["gamma"]);

    private static (MappingReader? Reader, ConfigErrorCollector Errors) Open(string yaml)
    {
        var errors = new ConfigErrorCollector("t.yaml");
        var root = YamlTreeReader.Read(yaml, errors)!;
        return (MappingReader.Open(new ConfigField(root, KeyPath.Root.Key("top")), Section, errors), errors);
    }

    [Fact]
    public void Unknown_and_unsupported_keys_are_reported_on_open_even_if_never_read()
    {
        var (reader, errors) = Open("alpha: 1\ngamma: 2\nbetta: 3\nzzz: 4\n");

        Assert.NotNull(reader);
        Assert.Equal([
            "t.yaml:2:1: top.gamma: `gamma` is not supported by this version of the gateway yet",
            "t.yaml:3:1: top.betta: unknown key `betta`; did you mean `beta`?",
            "t.yaml:4:1: top.zzz: unknown key `zzz`",
        ], errors.InFileOrder().Select(e => e.ToString()));
    }

    [Fact]
    public void Optional_and_required_give_the_value_with_its_path()
    {
        var (reader, errors) = Open("alpha: 1\n");

        var alpha = reader!.Optional("alpha")!.Value;
        Assert.Equal(("top.alpha", 1, 8), (alpha.Path.ToString(), alpha.Node.Line, alpha.Node.Column));
        Assert.Null(reader.Optional("beta"));
        Assert.Equal(0, errors.Count);
        Assert.Null(reader.Required("beta"));
        Assert.Equal(["t.yaml:1:1: top.beta: required key is missing"], errors.InFileOrder().Select(e => e.ToString()));
    }

    [Fact]
    public void Asking_for_a_key_the_section_does_not_declare_is_a_programming_error()
    {
        var (reader, _) = Open("alpha: 1\n");

        Assert.Throws<ArgumentException>(() => reader!.Optional("gamma"));
    }

    [Fact]
    public void Scalar_where_a_mapping_belongs_is_reported()
    {
        var (reader, errors) = Open("[1, 2]\n");

        Assert.Null(reader);
        Assert.Equal(["t.yaml:1:1: top: expected a mapping with `alpha` and `beta`, got a list"], errors.InFileOrder().Select(e => e.ToString()));
    }

    [Fact]
    public void Merge_key_is_refused_with_a_way_out()
    {
        Assert.Equal([
            "gw.yaml:2:5: routes[0].upstream: required key is missing",
            "gw.yaml:3:5: routes[0].<<: YAML merge keys (`<<`) are not supported; write the keys out, or use `defaults` for shared limits",
        ], Errors("routes:\n  - name: chat\n    <<: { upstream: chat }\n    match: { path: /ws }\n" + Listen + Upstreams));
    }

    [Fact]
    public void Misspelt_top_level_key_is_reported_with_a_suggestion()
    {
        Assert.Equal([
            "gw.yaml:1:1: upstreams: required key is missing",
            "gw.yaml:7:1: upstream: unknown key `upstream`; did you mean `upstreams`?",
        ], Errors(Listen + Routes + Upstreams.Replace("upstreams:", "upstream:")));
    }

    [Fact]
    public void Every_section_keeps_supported_and_not_yet_supported_keys_apart()
    {
        var sections = typeof(ConfigSections).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (ConfigSection)f.GetValue(null)!).ToArray();

        Assert.NotEmpty(sections);
        Assert.All(sections, s => Assert.Empty(s.Keys.Intersect(s.NotYetSupported)));
        Assert.All(sections, s => Assert.Equal(s.Keys.Count + s.NotYetSupported.Count, s.Keys.Concat(s.NotYetSupported).Distinct().Count()));
    }

    [Fact]
    public void Contract_keys_not_implemented_yet_are_all_listed()
    {
        // From the brief: these must be refused by name until implemented, never ignored.
        Assert.Empty(ConfigSections.Root.NotYetSupported);
        Assert.Equal(["acme"], ConfigSections.Tls.NotYetSupported);
        Assert.Empty(ConfigSections.Route.NotYetSupported);
        Assert.Equal(["health_check", "tls"], ConfigSections.Upstream.NotYetSupported);
    }
}
