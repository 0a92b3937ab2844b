using System.Text.Json;
using OrleansLlm.Gguf.Models;
using OrleansLlm.Templates.Ollama;

namespace OrleansLlm.Templates.Tests.Ollama;

public class KnownTemplatesTests
{
    public static TheoryData<string> Shipped => ["chatml", "llama3-instruct", "mistral-instruct", "gemma-instruct", "phi-3", "zephyr"];

    public static TheoryData<string, string> Samples()
    {
        var data = new TheoryData<string, string>();
        foreach (var line in File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "testdata", "templates.jsonl")))
        {
            foreach (var entry in JsonDocument.Parse(line).RootElement.EnumerateObject())
                data.Add(entry.Name, entry.Value.GetString()!);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Shipped))]
    public void Shipped_templates_render_ollamas_expected_outputs(string name)
    {
        var template = KnownTemplates.Get(name)!.Template;
        var cases = new Dictionary<string, TemplateMessage[]>
        {
            ["user"] = [new("user", "Hello, how are you?")],
            ["user-assistant-user"] = [new("user", "Hello, how are you?"), new("assistant", "I'm doing great. How can I help you today?"), new("user", "I'd like to show off how chat templating works!")],
            ["system-user-assistant-user"] = [new("system", "You are a helpful assistant."), new("user", "Hello, how are you?"), new("assistant", "I'm doing great. How can I help you today?"), new("user", "I'd like to show off how chat templating works!")],
        };
        foreach (var (roles, messages) in cases)
        {
            var actual = template.Execute(new TemplateValues { Messages = messages });
            // Ollama's test drops mistral's trailing space too.
            if (name == "mistral-instruct" && actual.EndsWith(' '))
                actual = actual[..^1];
            Assert.Equal(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "testdata", name + ".gotmpl", roles)), actual);
        }
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Jinja_samples_match_their_template_when_shipped(string name, string jinja)
    {
        var match = KnownTemplates.Named(jinja);
        if (KnownTemplates.Get(name) is null)
            Assert.True(match is null || match.Name != name);
        else if (name == "llama3-instruct" && jinja.Contains("custom_tools", StringComparison.Ordinal))
            Assert.Equal("llama3.1-tools", match?.Name);
        else
            Assert.Equal(name, match?.Name);
    }

    [Fact]
    public void Unknown_jinja_matches_nothing() => Assert.Null(KnownTemplates.Named("{% for m in messages %}{{ m.content }}{% endfor %} something else entirely"));

    [Fact]
    public void The_demo_models_jinja_matches_tool_capable_chatml()
    {
        var match = KnownTemplates.Named(ChatTemplates.ChatMlTools);
        Assert.Equal("chatml-tools", match?.Name);
        Assert.True(match!.Template.SupportsTools);
        Assert.Equal("<tool_call>", match.Template.ToolCallTag);
        Assert.Equal("chatml", KnownTemplates.Named(ChatTemplates.ChatMl)?.Name);
        Assert.Equal("llama3-instruct", KnownTemplates.Named(ChatTemplates.Llama3)?.Name);
    }

    [Fact]
    public void Tool_capable_chatml_renders_as_chatml_without_tools()
    {
        var messages = new TemplateMessage[] { new("system", "Be brief."), new("user", "Hi"), new("assistant", "Hello"), new("user", "Bye") };
        Assert.Equal(KnownTemplates.Get("chatml")!.Template.Execute(new TemplateValues { Messages = messages }),
            KnownTemplates.Get("chatml-tools")!.Template.Execute(new TemplateValues { Messages = messages }));
    }

    [Fact]
    public void Tool_capable_chatml_lists_tools_calls_and_results_hermes_style()
    {
        var tool = JsonDocument.Parse("""{"type":"function","function":{"name":"get_weather","description":"Weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}""").RootElement;
        var text = KnownTemplates.Get("chatml-tools")!.Template.Execute(new TemplateValues
        {
            Tools = [tool],
            Messages =
            [
                new("system", "Be brief."), new("user", "Weather in Paris?"),
                new("assistant", "") { ToolCalls = [new ToolCall("get_weather", new Dictionary<string, object?> { ["city"] = "Paris" })] },
                new("tool", "sunny") { ToolName = "get_weather" },
            ],
        });
        Assert.Equal(
            "<|im_start|>system\nBe brief.\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\n" +
            "You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n" +
            """{"type":"function","function":{"name":"get_weather","description":"Weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}""" +
            "\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n" +
            "<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call><|im_end|>\n" +
            "<|im_start|>user\nWeather in Paris?<|im_end|>\n" +
            "<|im_start|>assistant\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\":\"Paris\"}}\n</tool_call><|im_end|>\n" +
            "<|im_start|>user\n<tool_response>\nsunny\n</tool_response><|im_end|>\n<|im_start|>assistant\n",
            text);
    }

    [Fact]
    public void Llama_31_template_offers_tools_in_the_last_user_turn_and_calls_as_bare_json()
    {
        var template = KnownTemplates.Get("llama3.1-tools")!.Template;
        Assert.True(template.SupportsTools);
        Assert.Equal("{", template.ToolCallTag);
        var tool = JsonDocument.Parse("""{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{}}}}""").RootElement;
        var text = template.Execute(new TemplateValues { Tools = [tool], Messages = [new("user", "Weather?")] });
        Assert.Contains("Given the following functions", text);
        Assert.Contains("\"name\":\"get_weather\"", text);
        Assert.EndsWith("Question: Weather?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_shipped_template_parses_and_has_stop_strings()
    {
        foreach (var known in KnownTemplates.All)
        {
            Assert.NotNull(known.Template);
            Assert.NotEmpty(known.Stop);
        }
        Assert.Equal(8, KnownTemplates.All.Count());
    }
}
