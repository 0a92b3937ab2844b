using OrleansLlm.Inference.Grammars;

namespace OrleansLlm.Inference.Tests;

/// <summary>
/// What the grammar cannot express is refused by name (the server answers 400 with the
/// message), never turned into "any value".
/// </summary>
public sealed class SchemaGrammarErrorTests
{
    public static TheoryData<string, string> UnsupportedKeywords() => new()
    {
        { """{"not":{"type":"string"}}""", "'not'" },
        { """{"type":"object","if":{"required":["a"]},"then":{"required":["b"]}}""", "'if'" },
        { """{"type":"integer","then":{}}""", "'then'" },
        { """{"type":"integer","else":{}}""", "'else'" },
        { """{"type":"object","patternProperties":{"^x":{"type":"integer"}}}""", "'patternProperties'" },
        { """{"type":"object","properties":{"a":{},"b":{}},"dependentRequired":{"a":["b"]}}""", "'dependentRequired'" },
        { """{"type":"object","dependentSchemas":{"a":{}}}""", "'dependentSchemas'" },
        { """{"type":"object","dependencies":{"a":["b"]}}""", "'dependencies'" },
        { """{"type":"object","propertyNames":{"maxLength":3}}""", "'propertyNames'" },
        { """{"type":"object","minProperties":1}""", "'minProperties'" },
        { """{"type":"object","maxProperties":1}""", "'maxProperties'" },
        { """{"type":"object","unevaluatedProperties":false}""", "'unevaluatedProperties'" },
        { """{"type":"object","properties":{"a":{}},"additionalProperties":true}""", "'additionalProperties'" },
        { """{"type":"object","properties":{"a":{}},"additionalProperties":{"type":"string"}}""", "'additionalProperties'" },
        { """{"allOf":[{"type":"object"},{"required":["a"]}]}""", "'allOf'" },
        { """{"type":"array","uniqueItems":true}""", "'uniqueItems'" },
        { """{"type":"array","contains":{"const":1}}""", "'contains'" },
        { """{"type":"array","prefixItems":[{"type":"integer"}]}""", "'prefixItems'" },
        { """{"type":"array","items":[{"type":"integer"}]}""", "'items'" },
        { """{"type":"array","unevaluatedItems":false}""", "'unevaluatedItems'" },
        { """{"type":"number","multipleOf":2}""", "'multipleOf'" },
        { """{"type":"number","minimum":0}""", "'minimum'" },
        { """{"type":["integer","number"],"maximum":0}""", "'maximum'" },
        { """{"minimum":0}""", "'minimum'" },
        { """{"type":"number","maximum":10}""", "'maximum'" },
        { """{"type":"number","exclusiveMinimum":0}""", "'exclusiveMinimum'" },
        { """{"type":"number","exclusiveMaximum":0}""", "'exclusiveMaximum'" },
        { """{"type":"string","format":"email"}""", "'format'" },
        { """{"type":"string","contentSchema":{}}""", "'contentSchema'" },
        { """{"type":"string","nullable":true}""", "'nullable'" },
        { """{"type":"string","pattern":"^a+$","maxLength":3}""", "'maxLength'" },
        { """{"type":"string","format":"date","minLength":3}""", "'minLength'" },
        { """{"enum":["a","bb"],"maxLength":1}""", "'maxLength'" },
        { """{"anyOf":[{"type":"string"}],"minLength":1}""", "'minLength'" },
        { """{"$ref":"#/$defs/A","type":"object","$defs":{"A":{}}}""", "'type'" },
        { """{"$dynamicRef":"#meta"}""", "'$dynamicRef'" },
        { """{"type":"string","x-unknown":1}""", "'x-unknown'" },
    };

    [Theory]
    [MemberData(nameof(UnsupportedKeywords))]
    public void An_unsupported_keyword_is_an_error_naming_it(string schema, string keyword)
    {
        var error = Assert.Throws<ArgumentException>(() => JsonSchemaGrammar.For(schema));

        Assert.StartsWith("format schema: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(keyword, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_error_says_where_in_the_schema_the_keyword_is()
    {
        var error = Assert.Throws<ArgumentException>(() => JsonSchemaGrammar.For("""{"type":"object","properties":{"x":{"type":"array","items":{"not":{}}}}}"""));

        Assert.Equal("format schema: keyword 'not' is not supported (at #/properties/x/items)", error.Message);
    }

    public static TheoryData<string, string> UnexpressiblePatterns() => new()
    {
        { "^(?=a)a$", "lookahead" },
        { "^(?!a)b$", "lookahead" },
        { "(?<=a)b", "lookbehind" },
        { "(?<!a)b", "lookbehind" },
        { "^(a)\\1$", "backreference" },
        { "^(?<x>a)\\k<x>$", "backreference" },
        { "\\bword\\b", "word-boundary" },
        { "^\\p{L}+$", "Unicode property" },
        { "a^b", "'^'" },
        { "a$b", "'$'" },
        { "(a$)", "'$'" },
        { "a**", "quantifier" },
        { "*a", "nothing to repeat" },
        { "(a", "unbalanced" },
        { "a)", "unbalanced" },
        { "[a", "unterminated" },
        { "[z-a]", "out of order" },
        { "a{3,2}", "maximum below" },
        { "a{1000000}", "largest supported" },
    };

    [Theory]
    [MemberData(nameof(UnexpressiblePatterns))]
    public void A_pattern_GBNF_cannot_express_is_an_error_saying_why(string pattern, string reason)
    {
        var schema = System.Text.Json.JsonSerializer.Serialize(new { type = "string", pattern });

        var error = Assert.Throws<ArgumentException>(() => JsonSchemaGrammar.For(schema));

        Assert.Contains("'pattern'", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> Refused() => new()
    {
        { """{"$ref":"https://example.com/schema.json"}""", "points outside this schema" },
        { """{"$ref":"other.json#/$defs/A"}""", "points outside this schema" },
        { """{"$ref":"#/$defs/Missing"}""", "does not resolve" },
        { """{"$ref":"#anchor"}""", "anchor" },
        { """{"$defs":{"A":{"$ref":"#/$defs/A"}},"$ref":"#/$defs/A"}""", "refers back to itself" },
        { """{"$defs":{"A":{"anyOf":[{"$ref":"#/$defs/B"},{"type":"null"}]},"B":{"oneOf":[{"$ref":"#/$defs/A"}]}},"type":"array","items":{"$ref":"#/$defs/A"}}""", "refers back to itself" },
        { """{"anyOf":[{"$ref":"#"},{"type":"null"}]}""", "refers back to itself" },
        { """{"type":"object","properties":{"a":{}},"required":["b"]}""", "'b' is not listed" },
        { """{"type":"object","required":["a"]}""", "'a' is not listed" },
        { """{"type":"array","minItems":3,"maxItems":2}""", "no array" },
        { """{"type":"array","items":false,"minItems":1}""", "no array" },
        { """{"type":"string","minLength":3,"maxLength":2}""", "no string" },
        { """{"type":"string","maxLength":-1}""", "non-negative integer" },
        { """{"type":"array","maxItems":1.5}""", "non-negative integer" },
        { """{"type":"string","maxLength":1000000}""", "largest supported" },
        { """{"type":"integer","enum":["a"]}""", "no value of 'enum'" },
        { """{"enum":[]}""", "non-empty" },
        { """{"type":"date"}""", "not a JSON Schema type" },
        { """{"type":"integer","minimum":5,"maximum":4.5}""", "no integer lies between" },
        { """{"type":"integer","minimum":1e20}""", "beyond the 16 digits" },
        { """{"type":"object","properties":{"a":false},"required":["a"]}""", "schema false" },
        { """false""", "format must be" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void A_schema_no_grammar_can_follow_is_an_error_saying_why(string schema, string reason)
    {
        var error = Assert.Throws<ArgumentException>(() => JsonSchemaGrammar.For(schema));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_pattern_nested_deeper_than_the_limit_is_refused_not_a_stack_overflow()
    {
        var pattern = new string('(', 100_000) + "a" + new string(')', 100_000);
        var schema = System.Text.Json.JsonSerializer.Serialize(new { type = "string", pattern });

        var error = Assert.Throws<ArgumentException>(() => JsonSchemaGrammar.For(schema));

        Assert.Contains("nest more than 32 deep", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_chain_of_references_longer_than_the_limit_is_refused_not_a_stack_overflow()
    {
        var definitions = Enumerable.Range(0, 100_000).ToDictionary(i => $"D{i}", i => (object)new Dictionary<string, object> { ["$ref"] = $"#/$defs/D{i + 1}" });
        definitions["D100000"] = new { type = "integer" };
        var schema = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object> { ["$defs"] = definitions, ["$ref"] = "#/$defs/D0" });

        var error = Assert.Throws<ArgumentException>(() => JsonSchemaGrammar.For(schema));

        Assert.Contains("nest more than 64 deep", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bounds_that_would_expand_past_the_parser_budget_are_refused()
    {
        var properties = Enumerable.Range(0, 30).ToDictionary(i => $"p{i}", _ => new { type = "string", maxLength = 5000 });
        var schema = System.Text.Json.JsonSerializer.Serialize(new { type = "object", properties });

        var error = Assert.Throws<ArgumentException>(() => JsonSchemaGrammar.For(schema));

        Assert.Contains("repeated elements", error.Message, StringComparison.Ordinal);
    }
}
