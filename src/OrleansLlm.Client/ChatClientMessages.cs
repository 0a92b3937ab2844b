using System.Text.Json;
using Microsoft.Extensions.AI;
using OrleansLlm.Scheduling.Options;
using OrleansLlm.Templates.Json;
using OrleansLlm.Templates.Ollama;
using AiChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace OrleansLlm.Client;

/// <summary>Microsoft.Extensions.AI's messages, options and tools in the shapes our templates and runners take.</summary>
internal static class ChatClientMessages
{
    /// <summary>
    /// The conversation as templates see it: <paramref name="instructions"/> as a leading system
    /// message, text parts joined, assistant function calls as tool calls, and each function result
    /// as a <c>tool</c> message naming the function that was called.
    /// </summary>
    public static IReadOnlyList<TemplateMessage> ToTemplateMessages(string? instructions, IEnumerable<AiChatMessage> messages)
    {
        var result = new List<TemplateMessage>();
        if (!string.IsNullOrEmpty(instructions))
            result.Add(new TemplateMessage("system", instructions));
        var callNames = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var message in messages)
        {
            var calls = message.Contents.OfType<FunctionCallContent>()
                .Select((call, index) => new ToolCall(call.Name, Arguments(call.Arguments)) { Index = index, Id = call.CallId })
                .ToArray();
            foreach (var call in calls.Where(c => c.Id is not null))
                callNames[call.Id!] = call.Name;
            var results = message.Contents.OfType<FunctionResultContent>().ToArray();
            if (results.Length == 0 || message.Text.Length > 0 || calls.Length > 0)
                result.Add(new TemplateMessage(message.Role.Value, message.Text) { ToolCalls = calls });
            foreach (var answer in results)
            {
                result.Add(new TemplateMessage("tool", ResultText(answer.Result))
                {
                    ToolCallId = answer.CallId,
                    ToolName = callNames.GetValueOrDefault(answer.CallId) ?? "",
                });
            }
        }
        return result;
    }

    /// <summary>Each function the caller offers, as <c>{"type":"function","function":{name, description, parameters}}</c>.</summary>
    public static IReadOnlyList<JsonElement> Tools(ChatOptions? options) =>
        options?.Tools is not { Count: > 0 } tools
            ? []
            : [.. tools.OfType<AIFunctionDeclaration>().Select(f => JsonSerializer.SerializeToElement(new
            {
                type = "function",
                function = new { name = f.Name, description = f.Description, parameters = f.JsonSchema },
            }))];

    public static SamplingOptions Sampling(ChatOptions? options) => SamplingOptions.Default with
    {
        NumPredict = options?.MaxOutputTokens ?? -1,
        Temperature = options?.Temperature ?? SamplingOptions.Default.Temperature,
        TopP = options?.TopP ?? SamplingOptions.Default.TopP,
        TopK = options?.TopK ?? SamplingOptions.Default.TopK,
        Seed = options?.Seed is { } seed ? (int)seed : -1,
        FrequencyPenalty = options?.FrequencyPenalty ?? 0,
        PresencePenalty = options?.PresencePenalty ?? 0,
        Stop = options?.StopSequences is { } stops ? [.. stops] : [],
    };

    /// <summary>A call the model made, with a call id unique to the response, arguments as JSON values.</summary>
    public static FunctionCallContent ToFunctionCall(ToolCall call, string responseId) =>
        new($"call_{responseId}_{call.Index}", call.Name,
            call.Arguments.ToDictionary(a => a.Key, a => (object?)JsonSerializer.SerializeToElement(a.Value)));

    private static IReadOnlyDictionary<string, object?> Arguments(IDictionary<string, object?>? arguments) =>
        arguments is null || arguments.Count == 0
            ? new Dictionary<string, object?>()
            : (Dictionary<string, object?>)JsonValues.From(JsonSerializer.SerializeToElement(arguments))!;

    private static string ResultText(object? result) => result switch
    {
        null => "",
        string text => text,
        JsonElement { ValueKind: JsonValueKind.String } text => text.GetString()!,
        _ => JsonSerializer.Serialize(result),
    };
}
