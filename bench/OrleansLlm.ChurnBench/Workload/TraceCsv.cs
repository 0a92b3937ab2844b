using System.Globalization;
using System.Text;

namespace OrleansLlm.ChurnBench.Workload;

/// <summary>The replay format: <c>time_s,model,prompt_tokens,output_tokens</c> with a header line.</summary>
internal static class TraceCsv
{
    public const string Header = "time_s,model,prompt_tokens,output_tokens";

    public static void Write(string path, IEnumerable<TraceRequest> trace)
    {
        var text = new StringBuilder().AppendLine(Header);
        foreach (var r in trace)
            text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{r.Arrival:0.######},{r.Model},{r.PromptTokens},{r.OutputTokens}"));
        File.WriteAllText(path, text.ToString());
    }

    public static IReadOnlyList<TraceRequest> Read(string path)
    {
        var trace = new List<TraceRequest>();
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (number == 1 && line.StartsWith("time", StringComparison.OrdinalIgnoreCase) || string.IsNullOrWhiteSpace(line))
                continue;
            var fields = line.Split(',');
            if (fields.Length != 4
                || !double.TryParse(fields[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var time) || time < 0
                || fields[1].Length == 0
                || !int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var prompt) || prompt < 1
                || !int.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out var output) || output < 1)
                throw new FormatException($"{path}:{number}: expected '{Header}' values (time ≥ 0, a model name, token counts ≥ 1), got '{line}'");
            trace.Add(new TraceRequest(0, time, fields[1].Trim(), prompt, output));
        }
        return [.. trace.OrderBy(r => r.Arrival).Select((r, i) => r with { Id = i })];
    }
}
