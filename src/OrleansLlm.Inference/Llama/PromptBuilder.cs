using System.Text;
using LLama;
using OrleansLlm.Abstractions.Models;

namespace OrleansLlm.Inference.Llama;

/// <summary>
/// Turns a request into the text the model sees: chat messages (and a system prompt) through the
/// model's own chat template; a raw prompt as it is. A model without a template gets a plain
/// "role: content" transcript, the fallback llama.cpp users know from its examples. A chat longer
/// than the context is cut by messages first, as Ollama cuts it.
/// </summary>
internal static class PromptBuilder
{
    /// <summary>Tokens a chat template adds around each message (role markers, separators): a margin for the cut.</summary>
    private const int TemplateTokensPerMessage = 8;

    /// <param name="budget">How many prompt tokens fit (see <see cref="LlamaSequence.PromptBudget"/>).</param>
    public static string Build(LLamaWeights weights, GenerateRequest request, int budget = int.MaxValue)
    {
        if (request.Raw)
            return request.Prompt ?? "";
        var messages = new List<ChatMessage>();
        if (!string.IsNullOrEmpty(request.System))
            messages.Add(new ChatMessage("system", request.System));
        if (request.Messages is { Count: > 0 } chat)
            messages.AddRange(chat);
        else
            messages.Add(new ChatMessage("user", request.Prompt ?? ""));
        messages = Latest(messages, budget, text => weights.Tokenize(text, add_bos: false, special: true, Encoding.UTF8).Length);

        if (weights.Metadata.ContainsKey("tokenizer.chat_template"))
        {
            var template = new LLamaTemplate(weights) { AddAssistant = true };
            foreach (var message in messages)
                template.Add(message.Role, message.Content);
            return Encoding.UTF8.GetString(template.Apply());
        }
        var transcript = new StringBuilder();
        foreach (var message in messages)
            transcript.Append(message.Role).Append(": ").Append(message.Content).Append('\n');
        return transcript.Append("assistant: ").ToString();
    }

    /// <summary>
    /// Ollama's cut (<c>chatPrompt</c>): the system messages and as many of the latest messages as
    /// fit in <paramref name="budget"/> tokens; the last message always stays (an over-long one is
    /// cut by tokens later). Counts each message once, from the newest back, and stops at the
    /// first that does not fit: linear in what is kept, never in what is dropped.
    /// </summary>
    internal static List<ChatMessage> Latest(List<ChatMessage> messages, int budget, Func<string, int> countTokens)
    {
        var used = 0;
        var first = messages.Count;
        for (var i = messages.Count - 1; i >= 0; i--)
        {
            if (messages[i].Role == "system")
                continue;
            var cost = countTokens(messages[i].Content) + TemplateTokensPerMessage;
            if (used + cost > budget && i < messages.Count - 1)
                break;
            used += cost;
            first = i;
        }
        if (first == 0)
            return messages;
        // System messages are kept wherever they stand; their cost is not held against the others (Ollama's rule too).
        var kept = new List<ChatMessage>(messages.Count - first + 1);
        for (var i = 0; i < first; i++)
        {
            if (messages[i].Role == "system")
                kept.Add(messages[i]);
        }
        kept.AddRange(messages.Skip(first));
        return kept;
    }
}
