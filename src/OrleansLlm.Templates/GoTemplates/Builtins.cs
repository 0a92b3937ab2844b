using System.Text;

namespace OrleansLlm.Templates.GoTemplates;

/// <summary>
/// text/template's built-in functions and Ollama's (<c>json</c>, <c>currentDate</c>,
/// <c>yesterdayDate</c>, <c>toTypeScriptType</c>). <c>and</c> and <c>or</c> short-circuit in the
/// executor, as in Go.
/// </summary>
internal static class Builtins
{
    private delegate object? Function(IReadOnlyList<object?> args, TimeProvider clock);

    private static readonly Dictionary<string, (int Min, int Max, Function Call)> Functions = new(StringComparer.Ordinal)
    {
        ["not"] = (1, 1, (a, _) => !Values.IsTrue(a[0])),
        ["len"] = (1, 1, (a, _) => Length(a[0])),
        ["index"] = (1, int.MaxValue, (a, _) => Index(a)),
        ["slice"] = (1, 4, (a, _) => Slice(a)),
        ["eq"] = (1, int.MaxValue, (a, _) => Comparison.Equal(a)),
        ["ne"] = (2, 2, (a, _) => !Comparison.Equal(a)),
        ["lt"] = (2, 2, (a, _) => Comparison.Compare(a[0], a[1]) < 0),
        ["le"] = (2, 2, (a, _) => Comparison.Compare(a[0], a[1]) <= 0),
        ["gt"] = (2, 2, (a, _) => Comparison.Compare(a[0], a[1]) > 0),
        ["ge"] = (2, 2, (a, _) => Comparison.Compare(a[0], a[1]) >= 0),
        ["print"] = (0, int.MaxValue, (a, _) => GoFormat.Sprint(a)),
        ["println"] = (0, int.MaxValue, (a, _) => GoFormat.Sprintln(a)),
        ["printf"] = (1, int.MaxValue, (a, _) => Printf.Format(a[0] as string ?? throw new ArgumentException($"wrong type for value; expected string; got {Values.TypeName(a[0])}"), [.. a.Skip(1)])),
        ["html"] = (0, int.MaxValue, (a, _) => GoEscapes.Html(Joined(a))),
        ["js"] = (0, int.MaxValue, (a, _) => GoEscapes.Js(Joined(a))),
        ["urlquery"] = (0, int.MaxValue, (a, _) => GoEscapes.UrlQuery(Joined(a))),
        ["json"] = (1, 1, (a, _) => GoJson.Marshal(a[0])),
        // Ollama ignores the format argument and writes YYYY-MM-DD in local time.
        ["currentDate"] = (0, int.MaxValue, (_, clock) => clock.GetLocalNow().ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)),
        ["yesterdayDate"] = (0, int.MaxValue, (_, clock) => clock.GetLocalNow().AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)),
        ["toTypeScriptType"] = (1, 1, (a, _) => TypeScript.Of(a[0])),
    };

    public static bool Exists(string name) => name is "and" or "or" || Functions.ContainsKey(name);

    /// <summary>Calls <paramref name="name"/>; Go's message for a failure is <c>error calling name: reason</c>.</summary>
    public static object? Call(string name, IReadOnlyList<object?> args, TimeProvider clock, Pos pos)
    {
        var (min, max, call) = Functions[name];
        if (args.Count < min || args.Count > max)
            throw new TemplateException(pos, $"wrong number of args for {name}: want {(min == max ? min.ToString(System.Globalization.CultureInfo.InvariantCulture) : "at least " + min)} got {args.Count}");
        try
        {
            return call(args, clock);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IndexOutOfRangeException)
        {
            throw new TemplateException(pos, $"error calling {name}: {e.Message}");
        }
    }

    private static string Joined(IReadOnlyList<object?> args) => args is [string one] ? one : GoFormat.Sprint(args);

    private static long Length(object? value) => Values.Normalize(value) switch
    {
        string s => Encoding.UTF8.GetByteCount(s),
        IReadOnlyList<object?> list => list.Count,
        IReadOnlyDictionary<string, object?> map => map.Count,
        var other => throw new ArgumentException($"len of type {Values.TypeName(other)}"),
    };

    private static object? Index(IReadOnlyList<object?> args)
    {
        var item = Values.Normalize(args[0]);
        foreach (var key in args.Skip(1))
        {
            item = Values.Normalize(key) switch
            {
                long i when item is IReadOnlyList<object?> list => i >= 0 && i < list.Count ? Values.Normalize(list[(int)i]) : throw new ArgumentException($"index out of range: {i}"),
                long i when item is string s => i >= 0 && i < Encoding.UTF8.GetByteCount(s) ? (long)Encoding.UTF8.GetBytes(s)[i] : throw new ArgumentException($"index out of range: {i}"),
                string k when item is IReadOnlyDictionary<string, object?> map => map.TryGetValue(k, out var v) ? Values.Normalize(v) : null,
                _ when item is null => throw new ArgumentException("index of untyped nil"),
                var other => throw new ArgumentException($"cannot index {Values.TypeName(item)} with {Values.TypeName(other)}"),
            };
        }
        return item;
    }

    private static object? Slice(IReadOnlyList<object?> args)
    {
        var item = Values.Normalize(args[0]);
        var length = item switch
        {
            string s => Encoding.UTF8.GetByteCount(s),
            IReadOnlyList<object?> list => list.Count,
            _ => throw new ArgumentException($"can't slice item of type {Values.TypeName(item)}"),
        };
        if (item is string && args.Count > 3)
            throw new ArgumentException("cannot 3-index slice a string");
        var indices = args.Skip(1).Select(a => Values.Normalize(a) is long l ? l : throw new ArgumentException($"cannot index slice/array with type {Values.TypeName(a)}")).ToArray();
        var from = indices.Length > 0 ? indices[0] : 0;
        var to = indices.Length > 1 ? indices[1] : length;
        if (from < 0 || to < from || to > length)
            throw new ArgumentException($"index out of range: {(from < 0 || from > length ? from : to)}");
        return item is string text
            ? Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text), (int)from, (int)(to - from))
            : new SliceView((IReadOnlyList<object?>)item!, (int)from, (int)(to - from));
    }

    /// <summary>A window on a list, so that <c>slice $.Messages $i</c> in a loop costs nothing per call.</summary>
    private sealed class SliceView(IReadOnlyList<object?> list, int offset, int count) : IReadOnlyList<object?>
    {
        public object? this[int index] => (uint)index < (uint)count ? list[offset + index] : throw new ArgumentOutOfRangeException(nameof(index));

        public int Count => count;

        public IEnumerator<object?> GetEnumerator()
        {
            for (var i = 0; i < count; i++)
                yield return list[offset + i];
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
