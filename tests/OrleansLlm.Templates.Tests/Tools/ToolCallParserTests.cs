using OrleansLlm.Templates.Tools;

namespace OrleansLlm.Templates.Tests.Tools;

public class ToolCallParserTests
{
    [Fact]
    public void Calls_after_the_tag_are_parsed_and_text_before_is_content()
    {
        var output = ToolCallParser.Parse("Let me check.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>", "<tool_call>");
        Assert.Equal("Let me check.\n", output.Content);
        var call = Assert.Single(output.Calls);
        Assert.Equal("get_weather", call.Name);
        Assert.Equal("Paris", call.Arguments["city"]);
    }

    [Theory]
    [InlineData("""{"name": "a", "parameters": {"x": 1}}""")]
    [InlineData("""{"function": {"name": "a", "arguments": {"x": 1}}}""")]
    [InlineData("""  {"name": "a", "arguments": "{\"x\": 1}"}""")]
    [InlineData("""[{"name": "a", "arguments": {"x": 1}}]""")]
    public void Bare_json_aliases_and_string_arguments_are_calls(string text)
    {
        var call = Assert.Single(ToolCallParser.Parse(text, "<tool_call>").Calls);
        Assert.Equal("a", call.Name);
        Assert.Equal(1.0, call.Arguments["x"]);
    }

    [Fact]
    public void Several_calls_are_numbered_in_order()
    {
        var output = ToolCallParser.Parse("<tool_call>\n{\"name\": \"a\", \"arguments\": {}}\n</tool_call>\n<tool_call>\n{\"name\": \"b\", \"arguments\": {}}\n</tool_call>", "<tool_call>");
        Assert.Equal(["a", "b"], output.Calls.Select(c => c.Name));
        Assert.Equal([0, 1], output.Calls.Select(c => c.Index));
        Assert.Equal("", output.Content);
    }

    [Fact]
    public void Mistral_style_tag_with_an_array()
    {
        var output = ToolCallParser.Parse("[TOOL_CALLS] [{\"name\": \"a\", \"arguments\": {\"q\": \"x\"}}, {\"name\": \"b\", \"arguments\": {}}]", "[TOOL_CALLS]");
        Assert.Equal(["a", "b"], output.Calls.Select(c => c.Name));
    }

    [Theory]
    [InlineData("Just an answer.")]
    [InlineData("<tool_call>\n{\"name\": \"a\", \"arguments\": {")]
    [InlineData("<tool_call>\n{not json}")]
    [InlineData("{\"answer\": 42}")]
    [InlineData("[1, 2, 3]")]
    [InlineData("Text with {\"name\": \"a\"} inside")]
    public void Output_that_is_not_calls_is_plain_content(string text)
    {
        var output = ToolCallParser.Parse(text, "<tool_call>");
        Assert.Empty(output.Calls);
        Assert.Equal(text, output.Content);
    }

    [Fact]
    public void Streamed_pieces_send_text_hold_calls_and_release_them_when_complete()
    {
        var stream = new ToolCallStream("<tool_call>");
        Assert.Equal("Sure", stream.Add("Sure").Content);
        Assert.Equal(" ", stream.Add(" <tool").Content);
        var held = stream.Add("_call>\n{\"name\": \"get_weather\", ");
        Assert.Equal("", held.Content);
        Assert.Empty(held.Calls);
        Assert.True(stream.Calling);
        var done = stream.Add("\"arguments\": {\"city\": \"Paris\"}}\n</tool_call>");
        Assert.Equal("get_weather", Assert.Single(done.Calls).Name);
        var end = stream.Finish();
        Assert.Empty(end.Calls);
        Assert.Equal("", end.Content);
    }

    [Fact]
    public void Streamed_bare_json_at_the_start_is_a_call_but_not_after_text()
    {
        var json = new ToolCallStream("<tool_call>");
        Assert.Equal("", json.Add("  {\"name\": \"a\",").Content);
        Assert.Equal("a", Assert.Single(json.Add(" \"arguments\": {}}").Calls).Name);

        var text = new ToolCallStream("<tool_call>");
        Assert.Equal("See", text.Add("See").Content);
        Assert.Equal(" {\"x\": 1}", text.Add(" {\"x\": 1}").Content);
        Assert.Equal("", text.Finish().Content);
    }

    [Fact]
    public void A_stream_that_never_completes_a_call_ends_as_content()
    {
        var stream = new ToolCallStream("<tool_call>");
        stream.Add("<tool_call>{\"name\": ");
        var end = stream.Finish();
        Assert.Empty(end.Calls);
        Assert.Equal("<tool_call>{\"name\": ", end.Content);
        var partial = new ToolCallStream("<tool_call>");
        Assert.Equal("", partial.Add("x <tool").Content[2..]);
        Assert.Equal("<tool", partial.Finish().Content);
    }

    [Fact]
    public void Random_output_never_throws_and_loses_no_text()
    {
        var random = new Random(7);
        var pieces = new[] { "<tool_call>", "</tool_call>", "{", "}", "[", "]", "\"", "\\", "name", ":", ",", "arguments", " ", "\n", "x", "1", "<tool", "_call>" };
        for (var run = 0; run < 2000; run++)
        {
            var parts = Enumerable.Range(0, random.Next(1, 30)).Select(_ => pieces[random.Next(pieces.Length)]).ToList();
            var text = string.Concat(parts);
            var parsed = ToolCallParser.Parse(text, "<tool_call>");
            if (parsed.Calls.Count == 0)
                Assert.Equal(text, parsed.Content);

            var stream = new ToolCallStream("<tool_call>");
            var outputs = parts.Select(stream.Add).ToList();
            outputs.Add(stream.Finish());
            if (outputs.All(o => o.Calls.Count == 0))
                Assert.Equal(text, string.Concat(outputs.Select(o => o.Content)));
        }
    }
}
