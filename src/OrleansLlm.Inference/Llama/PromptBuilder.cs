using System.Text;
using LLama;
using OrleansLlm.Abstractions.Models;

namespace OrleansLlm.Inference.Llama;

/// <summary>
/// Turns a request into the text the model sees: chat messages (and a system prompt) through the
/// model's own chat template; a raw prompt as it is. A model without a template gets a plain
/// "role: content" transcript, the fallback llama.cpp users know from its examples.
/// </summary>
internal static class PromptBuilder
{
    public static string Build(LLamaWeights weights, GenerateRequest request)
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
}
