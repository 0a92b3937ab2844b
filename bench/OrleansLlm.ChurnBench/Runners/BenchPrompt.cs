using System.Globalization;

namespace OrleansLlm.ChurnBench.Runners;

/// <summary>The prompt a benchmark request carries: its id and its prompt length, read back by the runner.</summary>
internal static class BenchPrompt
{
    public static string Format(int requestId, int promptTokens) =>
        string.Create(CultureInfo.InvariantCulture, $"{requestId} {promptTokens}");

    public static (int RequestId, int PromptTokens) Parse(string? prompt)
    {
        var parts = (prompt ?? "").Split(' ');
        return parts.Length == 2
            && int.TryParse(parts[0], CultureInfo.InvariantCulture, out var id)
            && int.TryParse(parts[1], CultureInfo.InvariantCulture, out var tokens)
            ? (id, tokens)
            : (-1, Math.Max(1, (prompt?.Length ?? 0) / 4));
    }
}
