using OrleansLlm.Inference.Grammars;

namespace OrleansLlm.Inference.Tests;

/// <summary>
/// Each keyword's grammar, checked by llama.cpp's own grammar engine: the JSON texts it must
/// accept and those it must refuse.
/// </summary>
public sealed class SchemaGrammarTests
{
    public static TheoryData<string, string[], string[]> Cases() => new()
    {
        // required: listed ones must appear; the others may be left out, in schema order.
        {
            """{"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"boolean"},"c":{"type":"null"}},"required":["b"]}""",
            ["""{"b":true}""", """{"a":1,"b":false}""", """{"b":true,"c":null}""", """{"a":1,"b":true,"c":null}""", """{ "a": 1, "b": true }"""],
            ["""{}""", """{"a":1}""", """{"b":true,}""", """{,"b":true}""", """{"b":true,"a":1}""", """{"b":true "c":null}""", """{"a":1,"b":true,"d":2}"""]
        },
        // no required: every property may be left out.
        {
            """{"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"integer"},"c":{"type":"integer"}}}""",
            ["""{}""", """{"a":1}""", """{"b":2}""", """{"c":3}""", """{"a":1,"c":3}""", """{"b":2,"c":3}""", """{"a":1,"b":2,"c":3}"""],
            ["""{"c":3,"a":1}""", """{,}""", """{"a":1,}""", """{"a":1 "b":2}"""]
        },
        // all required: the previous shape, every property in order.
        {
            """{"type":"object","properties":{"ok":{"type":"boolean"},"color":{"enum":["red","green"]}},"required":["ok","color"]}""",
            ["""{"ok":true,"color":"red"}"""],
            ["""{"ok":true}""", """{"color":"red","ok":true}""", """{"ok":true,"color":"blue"}"""]
        },
        // optional, required, optional.
        {
            """{"properties":{"a":{"const":1},"b":{"const":2},"c":{"const":3}},"required":["b"]}""",
            ["""{"b":2}""", """{"a":1,"b":2}""", """{"b":2,"c":3}""", """{"a":1,"b":2,"c":3}"""],
            ["""{"a":1}""", """{"a":1,"c":3}""", """{}"""]
        },
        // $ref into $defs, as Pydantic writes it.
        {
            """{"$defs":{"Address":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}},"type":"object","properties":{"home":{"$ref":"#/$defs/Address"},"work":{"$ref":"#/$defs/Address"}},"required":["home"]}""",
            ["""{"home":{"city":"Paris"}}""", """{"home":{"city":"Paris"},"work":{"city":"Lyon"}}"""],
            ["""{"home":{}}""", """{"home":"Paris"}""", """{"work":{"city":"Lyon"}}"""]
        },
        // definitions (older drafts) and a recursive tree.
        {
            """{"definitions":{"Node":{"type":"object","properties":{"name":{"type":"string"},"children":{"type":"array","items":{"$ref":"#/definitions/Node"}}},"required":["name","children"]}},"$ref":"#/definitions/Node"}""",
            ["""{"name":"a","children":[]}""", """{"name":"a","children":[{"name":"b","children":[{"name":"c","children":[]}]}]}"""],
            ["""{"name":"a","children":[{"name":"b"}]}""", """{"name":"a","children":[1]}"""]
        },
        // a reference to the whole schema.
        {
            """{"type":"object","properties":{"next":{"anyOf":[{"$ref":"#"},{"type":"null"}]}},"required":["next"]}""",
            ["""{"next":null}""", """{"next":{"next":{"next":null}}}"""],
            ["""{"next":{}}""", """{"next":1}"""]
        },
        // minItems and maxItems.
        {
            """{"type":"array","items":{"type":"integer"},"minItems":2,"maxItems":4}""",
            ["[1,2]", "[1,2,3]", "[1, 2, 3, 4]"],
            ["[]", "[1]", "[1,2,3,4,5]", "[1,2,]", """[1,"2"]"""]
        },
        {
            """{"type":"array","items":{"type":"boolean"},"maxItems":1}""",
            ["[]", "[true]"],
            ["[true,false]"]
        },
        {
            """{"type":"array","minItems":1}""",
            ["[1]", """[{"a":[]},"x",null]"""],
            ["[]"]
        },
        {
            """{"type":"array","items":{"const":0},"minItems":3,"maxItems":3}""",
            ["[0,0,0]"],
            ["[0,0]", "[0,0,0,0]"]
        },
        // bounds over llama.cpp's repetition limit of 2000 are built from chunks.
        {
            """{"type":"array","items":{"const":0},"minItems":2500}""",
            ["[" + string.Join(",", Enumerable.Repeat("0", 2500)) + "]", "[" + string.Join(",", Enumerable.Repeat("0", 2600)) + "]"],
            ["[" + string.Join(",", Enumerable.Repeat("0", 2499)) + "]"]
        },
        {
            """{"type":"string","maxLength":2500}""",
            ["\"" + new string('x', 2500) + "\"", "\"\"", "\"" + new string('x', 1999) + "\""],
            ["\"" + new string('x', 2501) + "\""]
        },
        // enum and const of every JSON type, as compact JSON.
        {
            """{"enum":["red",1,2.5,true,null,{"a":[1,"b"]},[1,2]]}""",
            ["\"red\"", "1", "2.5", "true", "null", """{"a":[1,"b"]}""", "[1,2]"],
            ["\"blue\"", "2", "false", "{}", "[1]", "[2,1]"]
        },
        {
            """{"const":{"kind":"point","xy":[0,-1]}}""",
            ["""{"kind":"point","xy":[0,-1]}"""],
            ["""{"kind":"point","xy":[0,1]}""", """{"kind":"line","xy":[0,-1]}"""]
        },
        {
            """{"type":"string","enum":["a","b",3]}""",
            ["\"a\"", "\"b\""],
            ["3"]
        },
        {
            """{"enum":["é \"quoted\" \\ back","tab\there"]}""",
            ["\"é \\\"quoted\\\" \\\\ back\"", "\"tab\\there\""],
            ["\"e\""]
        },
        // minLength and maxLength count characters, an escape being one.
        {
            """{"type":"string","minLength":2,"maxLength":3}""",
            ["\"ab\"", "\"abc\"", "\"a\\n\"", "\"éé\"", "\"\\u00e9z\""],
            ["\"a\"", "\"abcd\"", "\"\"", "\"\\ud83d\\ude00\""]
        },
        // pattern: a regular expression over the string's characters.
        {
            """{"type":"string","pattern":"^[A-Z]{2}-\\d{3,4}$"}""",
            ["\"AB-123\"", "\"XY-9999\""],
            ["\"AB-12\"", "\"ab-123\"", "\"AB-12345\"", "\"AB123\""]
        },
        {
            """{"type":"string","pattern":"^(cat|dog)s?$"}""",
            ["\"cat\"", "\"dogs\""],
            ["\"cow\"", "\"catss\"", "\"\""]
        },
        {
            """{"type":"string","pattern":"ab+c"}""",
            ["\"abc\"", "\"xxabbbcyy\"", "\"--abc\""],
            ["\"ac\"", "\"abx\""]
        },
        {
            """{"type":"string","pattern":"^a.c$"}""",
            ["\"abc\"", "\"a\\\"c\"", "\"a\\\\c\"", "\"aéc\""],
            ["\"a\\nc\"", "\"ac\""]
        },
        {
            """{"type":"string","pattern":"^[^a-z]+$"}""",
            ["\"ABC\"", "\"1 \\\" \\\\ \\n\""],
            ["\"aB\""]
        },
        {
            """{"type":"string","pattern":"^(?:\\w+\\.)*\\w+@example\\.com$|^admin$"}""",
            ["\"a.b@example.com\"", "\"x@example.com\"", "\"admin\""],
            ["\"a@example.org\"", "\"admins\"", "\"@example.com\""]
        },
        {
            """{"type":"string","pattern":"^\\s*[\\-+]?\\d+(\\.\\d+)?\\s*$"}""",
            ["\"-1.5\"", "\" 42 \"", "\"+7\"", "\"\\t3\""],
            ["\"1.\"", "\"--1\"", "\"1e5\""]
        },
        // format.
        {
            """{"type":"string","format":"date"}""",
            ["\"2024-02-29\"", "\"2023-12-31\"", "\"2000-02-29\"", "\"2023-04-30\""],
            ["\"2023-02-29\"", "\"1900-02-29\"", "\"2023-04-31\"", "\"2023-13-01\"", "\"2023-00-10\"", "\"2023-01-00\""]
        },
        {
            """{"type":"string","format":"date-time"}""",
            ["\"2024-05-06T07:08:09Z\"", "\"2024-05-06T23:59:59.123+02:00\""],
            ["\"2024-05-06 07:08:09Z\"", "\"2024-05-06T24:00:00Z\"", "\"2024-05-06T07:08:09\""]
        },
        {
            """{"type":"string","format":"uuid"}""",
            ["\"123e4567-e89b-12d3-a456-426614174000\""],
            ["\"123e4567e89b12d3a456426614174000\""]
        },
        // integer bounds.
        {
            """{"type":"integer","minimum":-5,"maximum":123}""",
            ["-5", "-1", "0", "9", "10", "99", "100", "123"],
            ["-6", "124", "200", "1000", "-0", "05", "1.5"]
        },
        {
            """{"type":"integer","exclusiveMinimum":0}""",
            ["1", "42", "9999999999999999"],
            ["0", "-1"]
        },
        {
            """{"type":"integer","minimum":5,"exclusiveMinimum":true,"maximum":1.5e1}""",
            ["6", "15"],
            ["5", "16"]
        },
        {
            """{"type":"integer","minimum":1.5,"exclusiveMaximum":10}""",
            ["2", "9"],
            ["1", "10"]
        },
        // type arrays, anyOf, oneOf, allOf of one.
        {
            """{"type":["string","null"],"maxLength":1}""",
            ["null", "\"a\""],
            ["\"ab\"", "1"]
        },
        {
            """{"anyOf":[{"type":"integer"},{"type":"array","items":{"type":"integer"},"maxItems":1}],"title":"n"}""",
            ["1", "[]", "[2]"],
            ["[1,2]", "\"1\""]
        },
        {
            """{"oneOf":[{"const":"a"},{"const":"b"}],"discriminator":{"propertyName":"x"}}""",
            ["\"a\"", "\"b\""],
            ["\"c\""]
        },
        {
            """{"properties":{"p":{"allOf":[{"$ref":"#/definitions/P"}],"description":"Pydantic v1"}},"required":["p"],"definitions":{"P":{"enum":[1]}}}""",
            ["""{"p":1}"""],
            ["""{"p":2}"""]
        },
        // additionalProperties: false is what listing does; a schema without properties is a map.
        {
            """{"type":"object","properties":{"a":{"type":"integer"}},"additionalProperties":false}""",
            ["{}", """{"a":1}"""],
            ["""{"b":1}"""]
        },
        {
            """{"type":"object","additionalProperties":{"type":"integer"}}""",
            ["{}", """{"x":1,"y":2}"""],
            ["""{"x":"1"}"""]
        },
        // annotations are ignored.
        {
            """{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"x","title":"T","description":"d","default":1,"examples":[1],"$comment":"c","deprecated":false,"readOnly":true,"writeOnly":false,"type":"integer"}""",
            ["1", "-20"],
            ["1.5", "\"1\""]
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_schema_grammar_accepts_what_the_schema_allows_and_refuses_the_rest(string schema, string[] accepted, string[] refused)
    {
        var grammar = JsonSchemaGrammar.For(schema);

        Assert.All(accepted, text => Assert.True(LlamaGrammar.Accepts(grammar, text), $"refused {text}\n{grammar}"));
        Assert.All(refused, text => Assert.False(LlamaGrammar.Accepts(grammar, text), $"accepted {text}\n{grammar}"));
    }

    [Theory]
    [InlineData(-37, 1234)]
    [InlineData(7, 7)]
    [InlineData(0, 0)]
    [InlineData(100, 999)]
    [InlineData(-999, -100)]
    [InlineData(19, 2001)]
    public void An_integer_range_accepts_exactly_the_integers_in_it(int minimum, int maximum)
    {
        var grammar = JsonSchemaGrammar.For($$"""{"type":"integer","minimum":{{minimum}},"maximum":{{maximum}}}""");

        for (var n = -1100; n <= 2100; n++)
            Assert.True(LlamaGrammar.Accepts(grammar, n.ToString(System.Globalization.CultureInfo.InvariantCulture)) == (n >= minimum && n <= maximum), $"{n}\n{grammar}");
    }

    [Fact]
    public void Format_json_still_accepts_any_object()
    {
        var grammar = JsonSchemaGrammar.For("json");

        Assert.True(LlamaGrammar.Accepts(grammar, """{"a":[1,{"b":null}],"c":"d"}"""));
        Assert.False(LlamaGrammar.Accepts(grammar, "[1]"));
    }
}
