using OrleansLlm.Templates.GoTemplates;

namespace OrleansLlm.Templates.Tests.GoTemplates;

public class GoTemplateTests
{
    private static readonly Dictionary<string, object?> Data = new()
    {
        ["Name"] = "Ada",
        ["Empty"] = "",
        ["Zero"] = 0,
        ["Count"] = 3,
        ["Pi"] = 3.5,
        ["Yes"] = true,
        ["No"] = false,
        ["List"] = new List<object?> { "a", "b", "c" },
        ["None"] = new List<object?>(),
        ["Map"] = new Dictionary<string, object?> { ["b"] = 2, ["a"] = 1, ["c"] = 3 },
        ["Nested"] = new Dictionary<string, object?> { ["Inner"] = new Dictionary<string, object?> { ["Value"] = "deep" } },
        ["Html"] = "<a href='x'>&</a>",
    };

    private static string Run(string template, object? data = null) => GoTemplate.Parse(template).Execute(data ?? Data);

    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("{{ .Name }}", "Ada")]
    [InlineData("{{.Nested.Inner.Value}}", "deep")]
    [InlineData("{{ $.Name }}", "Ada")]
    [InlineData("{{ .Missing }}", "<no value>")]
    [InlineData("{{ .Missing.Deeper }}", "<no value>")]
    [InlineData("{{ .Count }} {{ .Pi }} {{ .Yes }}", "3 3.5 true")]
    [InlineData("{{ .List }}", "[a b c]")]
    [InlineData("{{ .Map }}", "map[a:1 b:2 c:3]")]
    [InlineData("{{ \"quoted\\n\" }}|{{ `raw\\n` }}", "quoted\n|raw\\n")]
    [InlineData("{{ 42 }} {{ -7 }} {{ 1.5 }} {{ 0x1F }} {{ 'a' }} {{ true }}", "42 -7 1.5 31 97 true")]
    [InlineData("{{ 1e6 }} {{ 100000.0 }} {{ 0.00001 }}", "1e+06 100000 1e-05")]
    public void Fields_literals_and_values_print_as_go_prints_them(string template, string expected) =>
        Assert.Equal(expected, Run(template));

    [Theory]
    [InlineData("a  {{- .Name -}}  b", "aAdab")]
    [InlineData("a\n\n{{- .Name }}\n", "aAda\n")]
    [InlineData("{{ .Name -}}\n\t x", "Adax")]
    [InlineData("{{-3}}", "-3")]
    [InlineData("x {{/* a comment */}} y", "x  y")]
    [InlineData("x {{- /* a comment */ -}} y", "xy")]
    [InlineData("{{/* multi\nline */}}z", "z")]
    public void Trim_markers_and_comments(string template, string expected) => Assert.Equal(expected, Run(template));

    [Theory]
    [InlineData("{{ if .Empty }}t{{ else }}f{{ end }}", "f")]
    [InlineData("{{ if .Zero }}t{{ else }}f{{ end }}", "f")]
    [InlineData("{{ if .None }}t{{ else }}f{{ end }}", "f")]
    [InlineData("{{ if .Missing }}t{{ else }}f{{ end }}", "f")]
    [InlineData("{{ if .No }}t{{ else }}f{{ end }}", "f")]
    [InlineData("{{ if .Name }}t{{ else }}f{{ end }}", "t")]
    [InlineData("{{ if .Map }}t{{ else }}f{{ end }}", "t")]
    [InlineData("{{ if .Pi }}t{{ else }}f{{ end }}", "t")]
    [InlineData("{{ if .No }}1{{ else if .Zero }}2{{ else if .Count }}3{{ else }}4{{ end }}", "3")]
    [InlineData("{{ if eq .Name \"Bob\" }}bob{{ else if eq .Name \"Ada\" }}ada{{ end }}", "ada")]
    [InlineData("{{ with .Nested.Inner }}{{ .Value }}{{ end }}", "deep")]
    [InlineData("{{ with .Empty }}x{{ else }}empty{{ end }}", "empty")]
    [InlineData("{{ with .No }}x{{ else with .Name }}{{ . }}{{ end }}", "Ada")]
    public void If_else_if_and_with_follow_go_truthiness(string template, string expected) => Assert.Equal(expected, Run(template));

    [Theory]
    [InlineData("{{ range .List }}<{{ . }}>{{ end }}", "<a><b><c>")]
    [InlineData("{{ range $i, $v := .List }}{{ $i }}={{ $v }} {{ end }}", "0=a 1=b 2=c ")]
    [InlineData("{{ range $k, $v := .Map }}{{ $k }}{{ $v }}{{ end }}", "a1b2c3")]
    [InlineData("{{ range .None }}x{{ else }}none{{ end }}", "none")]
    [InlineData("{{ range .Missing }}x{{ else }}none{{ end }}", "none")]
    [InlineData("{{ range .List }}{{ if eq . \"b\" }}{{ continue }}{{ end }}{{ . }}{{ end }}", "ac")]
    [InlineData("{{ range .List }}{{ if eq . \"b\" }}{{ break }}{{ end }}{{ . }}{{ end }}", "a")]
    [InlineData("{{ range 3 }}{{ . }}{{ end }}", "012")]
    [InlineData("{{ range .List }}{{ $.Name }}{{ end }}", "AdaAdaAda")]
    public void Range_over_slices_maps_in_key_order_and_counts(string template, string expected) => Assert.Equal(expected, Run(template));

    [Theory]
    [InlineData("{{ $x := .Name }}{{ $x }}", "Ada")]
    [InlineData("{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}", "2")]
    [InlineData("{{ $x := 1 }}{{ if true }}{{ $x := 2 }}{{ $x }}{{ end }}{{ $x }}", "21")]
    [InlineData("{{ $s := \"\" }}{{ range .List }}{{ $s = printf \"%s%s\" $s . }}{{ end }}{{ $s }}", "abc")]
    [InlineData("{{ range $i, $_ := .List }}{{ $last := eq (len (slice $.List $i)) 1 }}{{ if $last }}{{ . }}{{ end }}{{ end }}", "c")]
    public void Variables_declare_assign_and_scope_to_their_block(string template, string expected) => Assert.Equal(expected, Run(template));

    [Theory]
    [InlineData("{{ .Name | printf \"%s!\" }}", "Ada!")]
    [InlineData("{{ .List | len }}", "3")]
    [InlineData("{{ (index .List 1) }}{{ index .Map \"c\" }}{{ index .Nested \"Inner\" \"Value\" }}", "b3deep")]
    [InlineData("{{ (index .Nested \"Inner\").Value }}", "deep")]
    [InlineData("{{ slice .List 1 }} {{ slice .Name 1 2 }}", "[b c] d")]
    [InlineData("{{ len .Name }} {{ len .Map }} {{ len \"héllo\" }}", "3 3 6")]
    [InlineData("{{ and 1 0 2 }} {{ and 1 2 }} {{ or 0 \"\" }} {{ or 0 \"x\" 1 }}", "0 2  x")]
    [InlineData("{{ not .Empty }} {{ not .Name }}", "true false")]
    [InlineData("{{ eq .Count 1 2 3 }} {{ eq .Name \"x\" }} {{ ne .Count 3 }} {{ eq .Missing nil }}", "true false false true")]
    [InlineData("{{ lt 1 2 }} {{ le 2 2 }} {{ gt \"b\" \"a\" }} {{ ge 1.5 2.5 }}", "true true true false")]
    [InlineData("{{ print \"a\" 1 2 \"b\" }}|{{ println 1 \"x\" }}|", "a1 2b|1 x\n|")]
    [InlineData("{{ html .Html }}", "&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;")]
    [InlineData("{{ js \"it's <b>\" }}", "it\\'s \\u003Cb\\u003E")]
    [InlineData("{{ urlquery \"a b&c/é\" }}", "a+b%26c%2F%C3%A9")]
    [InlineData("{{ json .Map }} {{ json .List }} {{ json \"<x>\" }} {{ json .Pi }}", "{\"a\":1,\"b\":2,\"c\":3} [\"a\",\"b\",\"c\"] \"\\u003cx\\u003e\" 3.5")]
    [InlineData("{{ and .Missing.X 1 }}", "<no value>")]
    public void Functions_and_pipelines(string template, string expected) => Assert.Equal(expected, Run(template));

    [Theory]
    [InlineData("{{ printf \"%s|%d|%v|%q\" \"a\" 5 .List \"q\\\"\" }}", "a|5|[a b c]|\"q\\\"\"")]
    [InlineData("{{ printf \"%5d|%-4s|%05d|%.2f|%t|%x|%X|%c|%%\" 42 \"ab\" -7 3.14159 true 255 255 65 }}", "   42|ab  |-0007|3.14|true|ff|FF|A|%")]
    [InlineData("{{ printf \"%d\" \"hi\" }}", "%!d(string=hi)")]
    [InlineData("{{ printf \"%s %s\" \"a\" }}", "a %!s(MISSING)")]
    [InlineData("{{ printf \"%s\" \"a\" 1 }}", "a%!(EXTRA int=1)")]
    [InlineData("{{ printf \"%e\" 1234.5 }}", "1.234500e+03")]
    [InlineData("{{ printf \"%T %T %T\" 1 \"s\" .List }}", "int string []interface {}")]
    [InlineData("{{ printf \"%v\" nil }}", "<nil>")]
    public void Printf_verbs_and_mistakes_print_as_in_go(string template, string expected) => Assert.Equal(expected, Run(template));

    [Fact]
    public void Structs_print_fields_or_their_string_and_reject_unknown_fields()
    {
        var plain = new TemplateStruct("main.T", [new("A", "x"), new("B", 2)]);
        var stringer = new TemplateStruct("main.S", [new("A", "x")], () => "custom");
        Assert.Equal("{x 2} x custom", GoTemplate.Parse("{{ .P }} {{ .P.A }} {{ .S }}").Execute(new Dictionary<string, object?> { ["P"] = plain, ["S"] = stringer }));
        var e = Assert.Throws<TemplateException>(() => GoTemplate.Parse("{{ .P.Nope }}").Execute(new Dictionary<string, object?> { ["P"] = plain }));
        Assert.Contains("can't evaluate field Nope in type main.T", e.Message);
    }

    [Fact]
    public void Json_maps_print_as_json_and_still_range()
    {
        var args = new TemplateJsonMap(new Dictionary<string, object?> { ["city"] = "Paris", ["days"] = 2.0 });
        var text = GoTemplate.Parse("{{ .A }}|{{ range $k, $v := .A }}{{ $k }}={{ $v }};{{ end }}|{{ .A.city }}").Execute(new Dictionary<string, object?> { ["A"] = args });
        Assert.Equal("{\"city\":\"Paris\",\"days\":2}|city=Paris;days=2;|Paris", text);
    }

    [Fact]
    public void Dates_come_from_the_clock()
    {
        var clock = new FixedClock(new DateTimeOffset(2024, 3, 1, 12, 0, 0, TimeSpan.Zero));
        Assert.Equal("2024-03-01 2024-02-29", GoTemplate.Parse("{{ currentDate }} {{ yesterdayDate }}").Execute(null, clock));
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;

        public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;
    }
}
