using System.Text.Json;
using OrleansLlm.Templates.Ollama;

namespace OrleansLlm.Templates.Tests.Ollama;

/// <summary>Ollama's Parse and Execute semantics, with cases from its template_test.go.</summary>
public class OllamaTemplateTests
{
    private static readonly TemplateMessage[] Conversation =
    [
        new("user", "Hello friend!"),
        new("assistant", "Hello human!"),
        new("user", "What is your name?"),
    ];

    [Theory]
    [InlineData("{{ .Prompt }}", "prompt,response")]
    [InlineData("{{ .System }} {{ .Prompt }}", "prompt,response,system")]
    [InlineData("{{ .System }} {{ .Prompt }} {{ .Response }}", "prompt,response,system")]
    [InlineData("{{ with .Tools }}{{ . }}{{ end }} {{ .System }} {{ .Prompt }}", "prompt,response,system,tools")]
    [InlineData("{{ range .Messages }}{{ .Role }} {{ .Content }}{{ end }}", "content,messages,role")]
    [InlineData("{{ range .Messages }}{{ if eq .Role \"tool\" }}Tool Result: {{ .ToolName }} {{ .Content }}{{ end }}{{ end }}", "content,messages,role,toolname")]
    public void Vars_are_the_identifiers_used_lower_cased_with_response_appended(string template, string vars) =>
        Assert.Equal(vars.Split(','), OllamaTemplate.Parse(template).Vars);

    [Theory]
    [InlineData("[INST] {{ if .System }}{{ .System }}\n\n{{ end }}{{ .Prompt }}[/INST] ")]
    [InlineData("[INST] {{ if .System }}{{ .System }}\n\n{{ end }}{{ .Prompt }}[/INST] {{ .Response }}")]
    [InlineData("[INST] {{ if .System }}{{ .System }}\n\n{{ end }}\n{{- range .Messages }}\n{{- if eq .Role \"user\" }}{{ .Content }}[/INST] {{ else if eq .Role \"assistant\" }}{{ .Content }}[INST] {{ end }}\n{{- end }}")]
    public void Legacy_and_messages_templates_render_a_conversation_alike(string template) =>
        Assert.Equal("[INST] Hello friend![/INST] Hello human![INST] What is your name?[/INST] ",
            OllamaTemplate.Parse(template).Execute(new TemplateValues { Messages = Conversation }));

    [Theory]
    [InlineData("[INST] {{ .Prompt }}[/INST] ")]
    [InlineData("[INST] {{ .Prompt }}[/INST] {{ .Response }}")]
    [InlineData("\n{{- range $i, $m := .Messages }}\n{{- if eq .Role \"user\" }}[INST] {{ .Content }}[/INST] {{ else if eq .Role \"assistant\" }}{{ .Content }}{{ end }}\n{{- end }}")]
    public void A_final_assistant_message_is_continued(string template)
    {
        var messages = Conversation.Append(new TemplateMessage("assistant", "My name is Ollama and I")).ToArray();
        Assert.Equal("[INST] Hello friend![/INST] Hello human![INST] What is your name?[/INST] My name is Ollama and I",
            OllamaTemplate.Parse(template).Execute(new TemplateValues { Messages = messages }));
    }

    [Fact]
    public void Legacy_template_with_system_runs_once_per_turn_and_cuts_the_last_at_response()
    {
        var template = "{{ if .System }}<|im_start|>system\n{{ .System }}<|im_end|>\n{{ end }}{{ if .Prompt }}<|im_start|>user\n{{ .Prompt }}<|im_end|>\n{{ end }}<|im_start|>assistant\n{{ .Response }}<|im_end|>\n";
        var messages = new[] { new TemplateMessage("system", "You are a helpful assistant!") }.Concat(Conversation).ToArray();
        Assert.Equal(
            "<|im_start|>system\nYou are a helpful assistant!<|im_end|>\n<|im_start|>user\nHello friend!<|im_end|>\n<|im_start|>assistant\nHello human!<|im_end|>\n" +
            "<|im_start|>user\nWhat is your name?<|im_end|>\n<|im_start|>assistant\n",
            OllamaTemplate.Parse(template).Execute(new TemplateValues { Messages = messages }));
    }

    [Fact]
    public void Prompt_and_suffix_render_fill_in_the_middle_and_messages_fall_back()
    {
        var template = OllamaTemplate.Parse("{{- if .Suffix }}<PRE> {{ .Prompt }} <SUF>{{ .Suffix }} <MID>\n{{- else }}{{ .Prompt }}\n{{- end }}");
        Assert.Equal("hello", template.Execute(new TemplateValues { Messages = [new("user", "hello")] }));
        Assert.Equal("<PRE> def add( <SUF>return x <MID>", template.Execute(new TemplateValues { Prompt = "def add(", Suffix = "return x" }));
    }

    [Fact]
    public void Consecutive_messages_of_a_role_merge_but_tool_results_do_not()
    {
        var template = OllamaTemplate.Parse("{{ .System }}|{{ range .Messages }}[{{ .Role }}:{{ .Content }}{{ with .ToolName }}@{{ . }}{{ end }}]{{ end }}");
        var text = template.Execute(new TemplateValues
        {
            Messages =
            [
                new("system", "You are helpful"), new("system", "Be brief"), new("user", "Hello"), new("user", "How are you?"),
                new("tool", "sunny") { ToolName = "get_weather" }, new("tool", "72F") { ToolName = "get_temperature" },
            ],
        });
        Assert.Equal("You are helpful\n\nBe brief|[system:You are helpful\n\nBe brief][user:Hello\n\nHow are you?][tool:sunny@get_weather][tool:72F@get_temperature]", text);
    }

    [Fact]
    public void Tool_call_arguments_and_tools_print_as_json()
    {
        var template = OllamaTemplate.Parse("{{- range .Messages }}{{- range .ToolCalls }}{{ .Function.Name }}{{ .Function.Arguments }}{{- end }}{{- end }}|{{ range .Tools }}{{ . }}|{{ .Function.Parameters.Properties }}|{{ range $k, $v := .Function.Parameters.Properties }}{{ $k }}:{{ toTypeScriptType $v }}{{ end }}{{ end }}|{{ json .Tools }}");
        var tool = JsonDocument.Parse("""{"type":"function","function":{"name":"get_weather","description":"Get <weather>","parameters":{"type":"object","required":["location"],"properties":{"location":{"type":"string","description":"City name"},"days":{"type":["integer","null"]}}}}}""").RootElement;
        var text = template.Execute(new TemplateValues
        {
            Messages = [new("assistant", "") { ToolCalls = [new ToolCall("get_weather", new Dictionary<string, object?> { ["unit"] = "celsius", ["location"] = "Tokyo", ["days"] = 3.0 })] }],
            Tools = [tool],
        });
        var toolJson = """{"type":"function","function":{"name":"get_weather","description":"Get \u003cweather\u003e","parameters":{"type":"object","required":["location"],"properties":{"days":{"type":["integer","null"]},"location":{"type":"string","description":"City name"}}}}}""";
        Assert.Equal(
            """get_weather{"days":3,"location":"Tokyo","unit":"celsius"}|""" + toolJson +
            """|{"days":{"type":["integer","null"]},"location":{"type":"string","description":"City name"}}|days:number | nulllocation:string|[""" + toolJson + "]",
            text);
    }

    [Fact]
    public void Messages_marshal_with_gos_field_names()
    {
        var text = OllamaTemplate.Parse("{{ json .Messages }}").Execute(new TemplateValues
        {
            Messages = [new("user", "hi"), new("assistant", "") { ToolCalls = [new ToolCall("f", new Dictionary<string, object?> { ["a"] = 1.0 })] }],
        });
        Assert.Equal(
            """[{"Role":"user","Content":"hi","Thinking":"","Images":null,"ToolCalls":null,"ToolName":"","ToolCallID":""},""" +
            """{"Role":"assistant","Content":"","Thinking":"","Images":null,"ToolCalls":[{"ID":"","Function":{"Index":0,"Name":"f","Arguments":{"a":1}}}],"ToolName":"","ToolCallID":""}]""",
            text);
    }

    [Fact]
    public void Tools_capability_follows_the_use_of_tools()
    {
        Assert.False(OllamaTemplate.Parse("{{ range .Messages }}{{ .Content }}{{ end }}").SupportsTools);
        Assert.True(OllamaTemplate.Parse("{{ if .Tools }}x{{ end }}{{ range .Messages }}{{ .Content }}{{ end }}").SupportsTools);
    }

    [Theory]
    [InlineData("{{ range .Messages }}{{ if .ToolCalls }}<tool_call>\n{{ range .ToolCalls }}{\"name\": \"{{ .Function.Name }}\"}{{ end }}{{ end }}{{ end }}", "<tool_call>")]
    [InlineData("{{ range .Messages }}{{ if .ToolCalls }}[TOOL_CALLS] [{{ range .ToolCalls }}{}{{ end }}]{{ end }}{{ end }}", "[TOOL_CALLS] [")]
    [InlineData("{{ range .Messages }}{{ if .ToolCalls }}\n{{ range .ToolCalls }}\n{\"name\": \"x\"}{{ end }}{{ end }}{{ end }}", "{")]
    [InlineData("{{ range .Messages }}{{ .Content }}{{ end }}", "{")]
    public void Tool_call_tag_is_the_text_after_the_tool_calls_condition(string template, string tag) =>
        Assert.Equal(tag, OllamaTemplate.Parse(template).ToolCallTag);
}
