using System.Collections;
using System.Globalization;

namespace OrleansLlm.Templates.GoTemplates;

/// <summary>
/// How C# values play Go's kinds: integers are <see cref="long"/> (Go's int), other numbers
/// <see cref="double"/>, lists are slices, string-keyed dictionaries maps, <see cref="TemplateStruct"/>
/// structs, null nil.
/// </summary>
internal static class Values
{
    public static object? Normalize(object? value) => value switch
    {
        null or string or bool or long or double or TemplateStruct or TemplateJsonMap or TemplateJsonList => value,
        int i => (long)i,
        short s => (long)s,
        byte b => (long)b,
        uint u => (long)u,
        float f => (double)f,
        decimal m => (double)m,
        char c => c.ToString(),
        IReadOnlyDictionary<string, object?> => value,
        IReadOnlyList<object?> => value,
        IDictionary map => map.Keys.Cast<object>().ToDictionary(k => Convert.ToString(k, CultureInfo.InvariantCulture) ?? "", k => map[k], StringComparer.Ordinal),
        IEnumerable sequence => sequence.Cast<object?>().ToList(),
        _ => value,
    };

    /// <summary>Go's truth: false, 0, nil, and empty strings, slices and maps are false; anything else is true.</summary>
    public static bool IsTrue(object? value) => Normalize(value) switch
    {
        null => false,
        bool b => b,
        long l => l != 0,
        double d => d != 0,
        string s => s.Length > 0,
        IReadOnlyDictionary<string, object?> map => map.Count > 0,
        IReadOnlyList<object?> list => list.Count > 0,
        _ => true,
    };

    /// <summary>The Go type name errors and <c>%!d(string=…)</c> show.</summary>
    public static string TypeName(object? value) => Normalize(value) switch
    {
        null => "<nil>",
        string => "string",
        bool => "bool",
        long => "int",
        double => "float64",
        TemplateStruct s => s.TypeName,
        TemplateJsonMap => "template.templateArgs",
        TemplateJsonList => "template.templateTools",
        IReadOnlyDictionary<string, object?> => "map[string]interface {}",
        IReadOnlyList<object?> => "[]interface {}",
        var other => other.GetType().Name,
    };
}
