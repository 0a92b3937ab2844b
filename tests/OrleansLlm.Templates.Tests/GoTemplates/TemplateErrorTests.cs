using OrleansLlm.Templates.GoTemplates;

namespace OrleansLlm.Templates.Tests.GoTemplates;

public class TemplateErrorTests
{
    [Theory]
    [InlineData("{{ .Prompt ", 1, 1, "unclosed action")]
    [InlineData("ok\n  {{ if .X }}open", 2, 6, "has no {{end}}")]
    [InlineData("{{ end }}", 1, 4, "unexpected {{end}}")]
    [InlineData("{{ nofunc 1 }}", 1, 4, "function \"nofunc\" not defined")]
    [InlineData("{{ $x }}", 1, 4, "undefined variable \"$x\"")]
    [InlineData("{{ $x = 1 }}", 1, 4, "undefined variable \"$x\"")]
    [InlineData("{{ break }}", 1, 4, "{{break}} outside {{range}}")]
    [InlineData("{{ \"open }}", 1, 4, "unterminated quoted string")]
    [InlineData("{{ (1 }}", 1, 7, "unclosed left paren")]
    [InlineData("{{ /* c */ }}", 1, 4, "unexpected \"/\"")]
    [InlineData("{{/* never closed", 1, 1, "unclosed comment")]
    [InlineData("{{ define \"x\" }}{{ end }}", 1, 4, "not supported")]
    [InlineData("{{ }}", 1, 4, "missing value for command")]
    [InlineData("{{ if }}{{ end }}", 1, 7, "missing value for if")]
    public void Parse_errors_name_the_place_and_the_reason(string template, int line, int column, string reason)
    {
        var e = Assert.Throws<TemplateException>(() => GoTemplate.Parse(template));
        Assert.Contains(reason, e.Reason);
        Assert.Equal((line, column), (e.Line, e.Column));
        Assert.StartsWith($"template: {line}:{column}: ", e.Message);
    }

    [Theory]
    [InlineData("{{ index .L 5 }}", "error calling index: index out of range: 5")]
    [InlineData("{{ len 3 }}", "error calling len: len of type int")]
    [InlineData("{{ eq 1 \"a\" }}", "incompatible types for comparison")]
    [InlineData("{{ lt true false }}", "invalid type for comparison")]
    [InlineData("{{ not 1 2 }}", "wrong number of args for not: want 1 got 2")]
    [InlineData("{{ .S.Field }}", "can't evaluate field Field in type string")]
    [InlineData("{{ 1 | 2 }}", "can't give argument to non-function 2")]
    [InlineData("{{ nil }}", "nil is not a command")]
    [InlineData("{{ range .S }}{{ end }}", "range can't iterate over text")]
    public void Execution_errors_name_the_place_and_the_reason(string template, string reason)
    {
        var data = new Dictionary<string, object?> { ["L"] = new List<object?> { 1 }, ["S"] = "text" };
        var e = Assert.Throws<TemplateException>(() => GoTemplate.Parse(template).Execute(data));
        Assert.Contains(reason, e.Message);
        Assert.Equal(1, e.Line);
    }
}
