using OrleansLlm.Abstractions.Models;
using OrleansLlm.Templates.Ollama;

namespace OrleansLlm.Server.Api.Ollama;

/// <summary>Ollama's response fields, written as its clients expect them.</summary>
internal static class OllamaResponses
{
    public static Dictionary<string, object?> Chunk(string model, bool chat, string text, IReadOnlyList<ToolCall>? calls = null) => chat
        ? new() { ["model"] = model, ["created_at"] = Now(), ["message"] = new { role = "assistant", content = text, tool_calls = ToolCallJson.Ollama(calls) }, ["done"] = false }
        : new() { ["model"] = model, ["created_at"] = Now(), ["response"] = text, ["done"] = false };

    public static Dictionary<string, object?> Final(string model, bool chat, string text, GenerationEvent done, IReadOnlyList<ToolCall>? calls = null)
    {
        var stats = done.Stats ?? new GenerationStats();
        var final = Chunk(model, chat, text, calls);
        final["done"] = true;
        final["done_reason"] = done.DoneReason;
        if (done.DoneReason is not ("load" or "unload"))
        {
            final["total_duration"] = stats.TotalDurationNs;
            final["load_duration"] = stats.LoadDurationNs;
            final["prompt_eval_count"] = stats.PromptEvalCount;
            final["prompt_eval_duration"] = stats.PromptEvalDurationNs;
            final["eval_count"] = stats.EvalCount;
            final["eval_duration"] = stats.EvalDurationNs;
        }
        return final;
    }

    public static string Now() => Timestamp(DateTimeOffset.UtcNow);

    /// <summary>RFC 3339 in UTC with a "Z", as Ollama's Go encoder writes times.</summary>
    public static string Timestamp(DateTimeOffset time) => time.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
}
