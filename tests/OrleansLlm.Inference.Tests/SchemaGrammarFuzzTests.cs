using System.Text;
using System.Text.Json;
using OrleansLlm.Inference.Grammars;

namespace OrleansLlm.Inference.Tests;

/// <summary>
/// Whatever a client sends, the answer is a grammar llama.cpp parses or an ArgumentException (a
/// 400): a grammar llama.cpp refused would reach LLamaSharp's sampler as a null pointer.
/// </summary>
public sealed class SchemaGrammarFuzzTests
{
    private static readonly string[] PatternPieces =
    [
        "a", "b", "é", "\"", "\\\\", "\\n", "\\t", ".", "\\d", "\\w", "\\s", "\\S", "[a-c]", "[^x]", "[\\]\\-]", "[]", "[^]",
        "(", ")", "(?:", "|", "*", "+", "?", "*?", "{2}", "{0,3}", "{1,}", "{", "}", "^", "$", "\\", "-", "\\x41", "\\u00e9", "\\/",
    ];

    [Fact]
    public void Random_patterns_give_a_grammar_llama_cpp_parses_or_an_argument_exception()
    {
        var random = new Random(20261207);
        var refused = 0;
        for (var i = 0; i < 1500; i++)
        {
            var pattern = new StringBuilder();
            for (var n = random.Next(1, 9); n > 0; n--)
                pattern.Append(PatternPieces[random.Next(PatternPieces.Length)]);
            var schema = JsonSerializer.Serialize(new { type = "string", pattern = pattern.ToString() });
            try
            {
                LlamaGrammar.Parse(JsonSchemaGrammar.For(schema));
            }
            catch (ArgumentException)
            {
                refused++;
            }
        }
        Assert.InRange(refused, 1, 1200); // most random patterns are valid
    }

    [Fact]
    public void Random_schemas_give_a_grammar_llama_cpp_parses_or_an_argument_exception()
    {
        var random = new Random(20261208);
        for (var i = 0; i < 600; i++)
        {
            var schema = RandomSchema(random, depth: 0).ToJsonString();
            var definition = RandomSchema(random, 1).ToJsonString();
            var document = "{\"$defs\":{\"A\":" + definition + ",\"B\":{\"anyOf\":[{\"$ref\":\"#/$defs/A\"},{\"type\":\"null\"}]}},\"allOf\":[" + schema + "]}";
            try
            {
                LlamaGrammar.Parse(JsonSchemaGrammar.For(document));
            }
            catch (ArgumentException)
            {
            }
        }
    }

    private static System.Text.Json.Nodes.JsonNode RandomSchema(Random random, int depth)
    {
        var node = new System.Text.Json.Nodes.JsonObject();
        var leaf = depth > 2;
        switch (random.Next(leaf ? 5 : 9))
        {
            case 0:
                node["type"] = "string";
                if (random.Next(2) == 0)
                    node["maxLength"] = random.Next(0, 2200);
                if (random.Next(3) == 0)
                    node["minLength"] = random.Next(0, 5);
                break;
            case 1:
                node["type"] = "integer";
                if (random.Next(2) == 0)
                    node["minimum"] = random.Next(-3000, 3000);
                if (random.Next(2) == 0)
                    node["maximum"] = random.Next(-3000, 3000);
                break;
            case 2:
                node["enum"] = new System.Text.Json.Nodes.JsonArray("x", 1, null, true, new System.Text.Json.Nodes.JsonObject { ["k"] = "v\"\\\n" });
                break;
            case 3:
                node["$ref"] = random.Next(2) == 0 ? "#/$defs/A" : "#/$defs/B";
                break;
            case 4:
                node["type"] = new System.Text.Json.Nodes.JsonArray("boolean", "null", "number");
                break;
            case 5 or 6:
                var properties = new System.Text.Json.Nodes.JsonObject();
                var required = new System.Text.Json.Nodes.JsonArray();
                for (var p = random.Next(0, 5); p > 0; p--)
                {
                    var name = $"p{p}\"/~é";
                    properties[name] = RandomSchema(random, depth + 1);
                    if (random.Next(2) == 0)
                        required.Add(name);
                }
                node["type"] = "object";
                node["properties"] = properties;
                node["required"] = required;
                break;
            case 7:
                node["type"] = "array";
                node["items"] = RandomSchema(random, depth + 1);
                if (random.Next(2) == 0)
                    node["minItems"] = random.Next(0, 2500);
                if (random.Next(2) == 0)
                    node["maxItems"] = random.Next(0, 2600);
                break;
            default:
                node["anyOf"] = new System.Text.Json.Nodes.JsonArray(RandomSchema(random, depth + 1), RandomSchema(random, depth + 1));
                break;
        }
        return node;
    }
}
