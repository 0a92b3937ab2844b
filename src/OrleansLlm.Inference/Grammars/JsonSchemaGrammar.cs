using System.Text.Json;

namespace OrleansLlm.Inference.Grammars;

/// <summary>
/// Turns a request's <c>format</c> — <c>"json"</c> or a JSON schema — into GBNF for llama.cpp's
/// grammar sampler. Schemas may use <c>type</c> (one or several), <c>properties</c> with
/// <c>required</c> (the others may be left out), <c>additionalProperties</c> (false, or a schema
/// for an object without properties), <c>items</c>, <c>minItems</c>/<c>maxItems</c>,
/// <c>minLength</c>/<c>maxLength</c>, <c>pattern</c>, <c>format</c> (date, time, date-time, uuid),
/// <c>enum</c>/<c>const</c> of any JSON values, <c>anyOf</c>/<c>oneOf</c>, <c>allOf</c> of one
/// schema, and local <c>$ref</c>s into <c>$defs</c>/<c>definitions</c> (recursive ones too).
/// Annotations are ignored; any other keyword is an <see cref="ArgumentException"/> naming it
/// (the server answers 400), never a silent "any value".
/// </summary>
internal static class JsonSchemaGrammar
{
    /// <summary>
    /// The largest grammar a request may bring, in characters. llama.cpp checks every candidate
    /// token against the grammar at each step, on the loop every request of the model shares, so
    /// the grammar's size is a cost everyone pays: measured in bench/results/grammar-cost.md.
    /// </summary>
    public const int MaxLength = 16 * 1024;

    private const string Primitives = """
        value   ::= object | array | string | number | ("true" | "false" | "null") ws
        object  ::= "{" ws ( string ":" ws value ("," ws string ":" ws value)* )? "}" ws
        array   ::= "[" ws ( value ("," ws value)* )? "]" ws
        string  ::= "\"" ( [^"\\\x7F\x00-\x1F] | "\\" (["\\bfnrt] | "u" [0-9a-fA-F]{4}) )* "\"" ws
        number  ::= ("-"? ([0-9] | [1-9] [0-9]{0,15})) ("." [0-9]+)? ([eE] [-+]? [0-9] [1-9]{0,15})? ws
        integer ::= ("-"? ([0-9] | [1-9] [0-9]{0,15})) ws
        boolean ::= ("true" | "false") ws
        null    ::= "null" ws
        ws      ::= | " " | "\n" [ \t]{0,20}
        """;

    /// <summary>Rule names the primitives (and the root and <see cref="SchemaRules.CharRule"/>) use.</summary>
    private static readonly string[] Reserved = ["root", "value", "object", "array", "string", "number", "integer", "boolean", "null", "ws", "char"];

    /// <summary>The grammar for <paramref name="format"/>; an <see cref="ArgumentException"/> when it is neither "json" nor a schema this supports.</summary>
    public static string For(string format)
    {
        if (format == "json")
            return "root ::= object\n" + Primitives;
        JsonDocument schema;
        try
        {
            schema = JsonDocument.Parse(format);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"format must be \"json\" or a JSON schema: {e.Message}", nameof(format), e);
        }
        using (schema)
        {
            if (schema.RootElement.ValueKind is not (JsonValueKind.Object or JsonValueKind.True))
                throw new ArgumentException("format must be \"json\" or a JSON schema object", nameof(format));
            var rules = new GbnfRules(Reserved);
            var root = SchemaRules.Root(schema.RootElement, rules);
            var grammar = $"root ::= {root}\n{rules}{SchemaRules.CharRule}\n{Primitives}";
            if (grammar.Length > MaxLength)
                throw new ArgumentException($"format: this JSON schema needs a grammar of {grammar.Length} characters, over the limit of {MaxLength}; use fewer enum values or properties", nameof(format));
            return grammar;
        }
    }
}
