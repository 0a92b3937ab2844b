using System.Net;
using System.Text;
using System.Text.Json;

namespace OrleansLlm.Server.Tests;

/// <summary>The <c>template</c> field of /api/generate, and tools on /api/chat and /v1/chat/completions.</summary>
public sealed class TemplateAndToolTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    // The demo model has random weights: a schema of exactly one call makes its answer a get_weather call.
    private const string CallSchema = """{"type":"object","properties":{"name":{"enum":["get_weather"]},"arguments":{"type":"object","properties":{"city":{"enum":["Paris"]}},"required":["city"]}},"required":["name","arguments"]}""";

    private const string Tools = """[{"type":"function","function":{"name":"get_weather","description":"The weather in a city","parameters":{"type":"object","required":["city"],"properties":{"city":{"type":"string","description":"The city"}}}}}]""";

    private HttpClient Http => server.Http;

    [Fact]
    public async Task A_request_template_replaces_the_models_template()
    {
        var chatMl = await PromptTokens("""{"model":"demo","prompt":"hello there","stream":false,"options":{"num_predict":1}}""");
        var sameAsChatMl = await PromptTokens("""{"model":"demo","prompt":"hello there","stream":false,"template":"<|im_start|>user\n{{ .Prompt }}<|im_end|>\n<|im_start|>assistant\n","options":{"num_predict":1}}""");
        var bare = await PromptTokens("""{"model":"demo","prompt":"hello there","stream":false,"template":"{{ .Prompt }}","options":{"num_predict":1}}""");
        var withSystem = await PromptTokens("""{"model":"demo","prompt":"hello there","system":"be brief","stream":false,"template":"{{ .System }} {{ .Prompt }}","options":{"num_predict":1}}""");

        Assert.Equal(chatMl, sameAsChatMl);
        Assert.True(bare < chatMl, $"{{{{ .Prompt }}}} gave {bare} prompt tokens, ChatML {chatMl}");
        Assert.True(withSystem > bare);
    }

    [Theory]
    [InlineData("{{ .Prompt ", "template: 1:1: unclosed action")]
    [InlineData("{{ if .Prompt }}x", "has no {{end}}")]
    [InlineData("{{ nosuch .Prompt }}", "function \\\"nosuch\\\" not defined")]
    public async Task A_template_that_does_not_parse_is_a_400_with_the_reason(string template, string reason)
    {
        using var response = await Post("/api/generate", $$$"""{"model":"demo","prompt":"hi","template":{{{JsonSerializer.Serialize(template)}}}}""");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(reason.Replace("\\\"", "\"", StringComparison.Ordinal), Error(await response.Content.ReadAsStringAsync()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_template_that_would_run_away_is_a_400_not_a_hang()
    {
        var template = JsonSerializer.Serialize("{{ range 100000 }}{{ range 100000 }}{{ $.Prompt }}{{ end }}{{ end }}");
        using var response = await Post("/api/generate", $$$"""{"model":"demo","prompt":"hi","template":{{{template}}}}""");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("exceeds", Error(await response.Content.ReadAsStringAsync()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_with_tools_answers_with_tool_calls()
    {
        using var response = await Post("/api/chat", ChatBody(stream: false));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var call = body.GetProperty("message").GetProperty("tool_calls")[0].GetProperty("function");
        Assert.Equal("get_weather", call.GetProperty("name").GetString());
        Assert.Equal("Paris", call.GetProperty("arguments").GetProperty("city").GetString());
        Assert.Equal("", body.GetProperty("message").GetProperty("content").GetString());
    }

    [Fact]
    public async Task Streamed_chat_with_tools_sends_the_calls_in_a_chunk()
    {
        using var response = await Post("/api/chat", ChatBody(stream: true));
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();

        var calls = lines.Where(l => l.GetProperty("message").TryGetProperty("tool_calls", out _)).ToList();
        var call = Assert.Single(calls).GetProperty("message").GetProperty("tool_calls")[0].GetProperty("function");
        Assert.Equal("get_weather", call.GetProperty("name").GetString());
        Assert.DoesNotContain(lines, l => l.GetProperty("message").GetProperty("content").GetString()!.Contains("get_weather", StringComparison.Ordinal));
        Assert.True(lines[^1].GetProperty("done").GetBoolean());
    }

    [Fact]
    public async Task OpenAi_chat_with_tools_finishes_with_tool_calls()
    {
        using var response = await Post("/v1/chat/completions", OpenAiBody(stream: false));
        var choice = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("choices")[0];

        Assert.Equal("tool_calls", choice.GetProperty("finish_reason").GetString());
        var call = choice.GetProperty("message").GetProperty("tool_calls")[0];
        Assert.StartsWith("call_", call.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal("function", call.GetProperty("type").GetString());
        Assert.Equal("get_weather", call.GetProperty("function").GetProperty("name").GetString());
        var arguments = JsonDocument.Parse(call.GetProperty("function").GetProperty("arguments").GetString()!).RootElement;
        Assert.Equal("Paris", arguments.GetProperty("city").GetString());
    }

    [Fact]
    public async Task Streamed_openai_chat_with_tools_sends_a_tool_call_delta()
    {
        using var response = await Post("/v1/chat/completions", OpenAiBody(stream: true));
        var events = (await response.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(e => e["data: ".Length..]).Where(d => d != "[DONE]").Select(d => JsonDocument.Parse(d).RootElement.GetProperty("choices")[0]).ToList();

        var delta = Assert.Single(events, e => e.GetProperty("delta").TryGetProperty("tool_calls", out _)).GetProperty("delta");
        Assert.Equal("get_weather", delta.GetProperty("tool_calls")[0].GetProperty("function").GetProperty("name").GetString());
        Assert.Equal("tool_calls", events[^1].GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task Tools_for_a_model_whose_template_has_none_are_refused()
    {
        using var ollama = await Post("/api/chat", $$$"""{"model":"plainchat","messages":[{"role":"user","content":"hi"}],"tools":{{{Tools}}}}""");
        Assert.Equal(HttpStatusCode.BadRequest, ollama.StatusCode);
        Assert.Equal("model 'plainchat' does not support tools", Error(await ollama.Content.ReadAsStringAsync()));

        using var openAi = await Post("/v1/chat/completions", $$$"""{"model":"plainchat","messages":[{"role":"user","content":"hi"}],"tools":{{{Tools}}}}""");
        Assert.Equal(HttpStatusCode.BadRequest, openAi.StatusCode);
    }

    [Fact]
    public async Task A_conversation_with_a_tool_call_and_its_result_renders()
    {
        var messages = """[{"role":"user","content":"Weather in Paris?"},{"role":"assistant","content":"","tool_calls":[{"function":{"name":"get_weather","arguments":{"city":"Paris"}}}]},{"role":"tool","tool_name":"get_weather","content":"sunny, 21 C"}]""";
        using var ollama = await Post("/api/chat", $$$"""{"model":"demo","messages":{{{messages}}},"tools":{{{Tools}}},"stream":false,"options":{"num_predict":2,"seed":1}}""");
        Assert.Equal(HttpStatusCode.OK, ollama.StatusCode);
        var withResult = JsonDocument.Parse(await ollama.Content.ReadAsStringAsync()).RootElement.GetProperty("prompt_eval_count").GetInt32();

        using var question = await Post("/api/chat", $$$"""{"model":"demo","messages":[{"role":"user","content":"Weather in Paris?"}],"tools":{{{Tools}}},"stream":false,"options":{"num_predict":2,"seed":1}}""");
        Assert.True(withResult > JsonDocument.Parse(await question.Content.ReadAsStringAsync()).RootElement.GetProperty("prompt_eval_count").GetInt32());

        var openAiMessages = """[{"role":"user","content":"Weather in Paris?"},{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},{"role":"tool","tool_call_id":"call_1","content":"sunny"}]""";
        using var openAi = await Post("/v1/chat/completions", $$$"""{"model":"demo","messages":{{{openAiMessages}}},"tools":{{{Tools}}},"max_tokens":2}""");
        Assert.Equal(HttpStatusCode.OK, openAi.StatusCode);
    }

    [Fact]
    public async Task Show_reports_the_go_template_and_the_tools_capability()
    {
        var demo = JsonDocument.Parse(await (await Post("/api/show", """{"model":"demo"}""")).Content.ReadAsStringAsync()).RootElement;
        Assert.Contains("tools", demo.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()));
        Assert.Contains("{{- range .Messages }}", demo.GetProperty("template").GetString(), StringComparison.Ordinal);

        var plain = JsonDocument.Parse(await (await Post("/api/show", """{"model":"plainchat"}""")).Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(["completion"], plain.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()));
    }

    private static string ChatBody(bool stream) =>
        $$$"""{"model":"demo","messages":[{"role":"user","content":"What is the weather in Paris?"}],"tools":{{{Tools}}},"format":{{{CallSchema}}},"stream":{{{(stream ? "true" : "false")}}},"options":{"temperature":0,"seed":1,"num_predict":200}}""";

    private static string OpenAiBody(bool stream) =>
        $$$"""{"model":"demo","messages":[{"role":"user","content":"What is the weather in Paris?"}],"tools":{{{Tools}}},"response_format":{"type":"json_schema","json_schema":{"name":"call","schema":{{{CallSchema}}}}},"stream":{{{(stream ? "true" : "false")}}},"temperature":0,"seed":1,"max_tokens":200}""";

    private async Task<int> PromptTokens(string body)
    {
        using var response = await Post("/api/generate", body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("prompt_eval_count").GetInt32();
    }

    private static string Error(string body) => JsonDocument.Parse(body).RootElement.GetProperty("error").GetString()!;

    private Task<HttpResponseMessage> Post(string path, string json) =>
        Http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
}
