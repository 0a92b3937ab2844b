using OrleansLlm.Templates.GoTemplates;

namespace OrleansLlm.Templates.Tests.GoTemplates;

/// <summary>Templates come from HTTP requests: none may hang, overflow the stack or allocate without bound.</summary>
public class HostileTemplateTests
{
    [Fact]
    public void Deep_nesting_is_a_parse_error_not_a_stack_overflow()
    {
        var ifs = string.Concat(Enumerable.Repeat("{{ if 1 }}", 100_000)) + string.Concat(Enumerable.Repeat("{{ end }}", 100_000));
        Assert.Contains("nesting deeper than 64", Assert.Throws<TemplateException>(() => GoTemplate.Parse(ifs)).Message);
        var parens = "{{ " + new string('(', 100_000) + "1" + new string(')', 100_000) + " }}";
        Assert.Contains("nesting deeper than 64", Assert.Throws<TemplateException>(() => GoTemplate.Parse(parens)).Message);
    }

    [Fact]
    public void Nested_loops_stop_at_the_step_limit()
    {
        var loops = "{{ range 100000 }}{{ range 100000 }}{{ range 100000 }}{{ end }}{{ end }}{{ end }}";
        Assert.Contains("execution exceeds", Assert.Throws<TemplateException>(() => GoTemplate.Parse(loops).Execute(null)).Message);
    }

    [Fact]
    public void Output_stops_at_the_output_limit()
    {
        var template = GoTemplate.Parse("{{ range 1000000 }}{{ printf \"%1000d\" 1 }}{{ end }}");
        Assert.Contains("output exceeds 4194304 characters", Assert.Throws<TemplateException>(() => template.Execute(null)).Message);
    }

    [Fact]
    public void Doubling_a_string_in_a_loop_stops_at_the_produced_limit()
    {
        var template = GoTemplate.Parse("{{ $s := \"xxxxxxxx\" }}{{ range 100 }}{{ $s = printf \"%s%s\" $s $s }}{{ end }}");
        Assert.Contains("functions produced more than", Assert.Throws<TemplateException>(() => template.Execute(null)).Message);
    }

    [Fact]
    public void Huge_printf_widths_print_badwidth()
    {
        Assert.Equal("%!(BADWIDTH)", GoTemplate.Parse("{{ printf \"%999999999d\" 1 }}").Execute(null));
    }

    [Fact]
    public void Custom_limits_apply()
    {
        var limits = new TemplateLimits { MaxOutputChars = 10 };
        Assert.Throws<TemplateException>(() => GoTemplate.Parse("{{ range 20 }}x{{ end }}", limits).Execute(null));
        Assert.Equal("xxxxx", GoTemplate.Parse("{{ range 5 }}x{{ end }}", limits).Execute(null));
    }
}
