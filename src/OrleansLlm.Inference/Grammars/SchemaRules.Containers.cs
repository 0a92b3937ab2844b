using System.Text.Json;
using static OrleansLlm.Inference.Grammars.SchemaKeywords;

namespace OrleansLlm.Inference.Grammars;

/// <summary>Objects and arrays.</summary>
internal sealed partial class SchemaRules
{
    /// <summary>
    /// An object's listed properties in schema order. Those in <c>required</c> must appear, the
    /// others may be left out (no <c>required</c>: all may). Properties not listed are not written
    /// (as with <c>additionalProperties: false</c>): the grammar may allow less than the schema, never more.
    /// An object without <c>properties</c> is any object, or a map when <c>additionalProperties</c> is a schema.
    /// </summary>
    private string ObjectExpression(JsonElement schema, string path)
    {
        var required = Required(schema, path);
        var additional = schema.TryGetProperty("additionalProperties", out var a) ? a : (JsonElement?)null;
        if (!schema.TryGetProperty("properties", out var properties))
        {
            if (required.Count > 0)
                throw Error($"required property '{required[0]}' is not listed in 'properties'", path);
            return additional switch
            {
                null or { ValueKind: JsonValueKind.True } => "object",
                { ValueKind: JsonValueKind.False } => "\"{\" ws \"}\" ws",
                { } values => Map(Value(values, Child(path, "additionalProperties"))),
            };
        }
        if (properties.ValueKind != JsonValueKind.Object)
            throw Error("'properties' must be an object", path);
        if (additional is { ValueKind: not JsonValueKind.False })
            throw Error("keyword 'additionalProperties' other than false beside 'properties' is not supported", path);

        var members = new List<(string Member, bool Required)>();
        var at = Child(path, "properties");
        foreach (var property in properties.EnumerateObject())
        {
            var isRequired = required.Contains(property.Name);
            if (property.Value.ValueKind == JsonValueKind.False)
            {
                // A property whose schema is false must be absent.
                if (isRequired)
                    throw Error($"required property '{property.Name}' has the schema false", at);
                continue;
            }
            members.Add(($"{GbnfText.Literal(JsonSerializer.Serialize(property.Name))} ws \":\" ws {Value(property.Value, Child(at, property.Name))}", isRequired));
        }
        var missing = required.FirstOrDefault(name => !properties.TryGetProperty(name, out _));
        if (missing is not null)
            throw Error($"required property '{missing}' is not listed in 'properties'", path);
        return _rules.Add("object", $"\"{{\" ws {Members(members)}\"}}\" ws");
    }

    /// <summary>An object of any keys whose values all match <paramref name="value"/>.</summary>
    private string Map(string value)
    {
        var entry = _rules.Add("entry", $"string \":\" ws {value}");
        return _rules.Add("map", $"\"{{\" ws ( {entry} (\",\" ws {entry})* )? \"}}\" ws");
    }

    /// <summary>A schema inside an object or array: a new value starts, so no reference is leading.</summary>
    private string Value(JsonElement schema, string path) => Expression(schema, path, []);

    private static List<string> Required(JsonElement schema, string path)
    {
        if (!schema.TryGetProperty("required", out var required))
            return [];
        if (required.ValueKind != JsonValueKind.Array || required.EnumerateArray().Any(r => r.ValueKind != JsonValueKind.String))
            throw Error("'required' must be an array of property names", path);
        return [.. required.EnumerateArray().Select(r => r.GetString()!).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>
    /// The members, in order, with commas only between those present. The first member written
    /// is one of the optional ones before the first required one, or that required one; after
    /// it each later member follows a comma, required ones always and optional ones maybe. The
    /// tails after each possible first member are shared rules, so the grammar grows linearly.
    /// </summary>
    private string Members(List<(string Member, bool Required)> members)
    {
        if (members.Count == 0)
            return "";
        var firstRequired = members.FindIndex(m => m.Required);
        var lastFirst = firstRequired < 0 ? members.Count - 1 : firstRequired;
        var member = members.Select(m => members.Count > 1 && lastFirst > 0 ? _rules.Add("member", m.Member) : m.Member).ToList();
        string Comma(int i) => members[i].Required ? $"\",\" ws {member[i]}" : $"(\",\" ws {member[i]})?";

        // The tail after a first member at i is members i+1.. with their commas; past lastFirst it is written out once.
        var tails = new string[members.Count + 1];
        tails[members.Count] = "";
        var fixedTail = string.Join(" ", Enumerable.Range(lastFirst + 1, members.Count - lastFirst - 1).Select(Comma));
        tails[lastFirst + 1] = fixedTail;
        for (var i = lastFirst; i >= 1; i--)
            tails[i] = _rules.Add("rest", string.Join(" ", new[] { Comma(i), tails[i + 1] }.Where(t => t.Length > 0)));
        var firsts = Enumerable.Range(0, lastFirst + 1).Select(i => tails[i + 1].Length == 0 ? member[i] : $"{member[i]} {tails[i + 1]}").ToList();
        if (firstRequired == 0)
            return firsts[0] + " ";
        return firstRequired < 0 ? $"( {string.Join(" | ", firsts)} )? " : $"( {string.Join(" | ", firsts)} ) ";
    }

    /// <summary>An array of <c>items</c>, from <c>minItems</c> to <c>maxItems</c> of them.</summary>
    private string ArrayExpression(JsonElement schema, string path)
    {
        if (schema.TryGetProperty("uniqueItems", out var unique) && unique.ValueKind != JsonValueKind.False)
            throw Unsupported("uniqueItems", path);
        var min = Count(schema, "minItems", path) ?? 0;
        var max = Count(schema, "maxItems", path);
        if (max < min)
            throw Error($"'maxItems' {max} is below 'minItems' {min}: no array is allowed", path);
        string? item = "value";
        if (schema.TryGetProperty("items", out var items))
        {
            item = items.ValueKind switch
            {
                JsonValueKind.Array => throw Error("keyword 'items' as an array (a tuple) is not supported", path),
                JsonValueKind.False => null,
                _ => Value(items, Child(path, "items")),
            };
        }
        if (item is null || max == 0)
        {
            if (min > 0)
                throw Error("'items' allows no item but 'minItems' needs some: no array is allowed", path);
            return "\"[\" ws \"]\" ws";
        }
        if (!IsName(item))
            item = _rules.Add("item", item);
        var next = min <= 1 && max is null ? $"(\",\" ws {item})*" : _rules.Repeat(_rules.Shared("next", $"\",\" ws {item}"), Math.Max(min - 1, 0), max - 1);
        var list = next.Length == 0 ? item : $"{item} {next}";
        return _rules.Add("array", min == 0 ? $"\"[\" ws ( {list} )? \"]\" ws" : $"\"[\" ws {list} \"]\" ws");
    }

    private static bool IsName(string expression) => expression.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');
}
