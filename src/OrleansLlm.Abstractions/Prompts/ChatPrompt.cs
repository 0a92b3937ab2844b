using System.Text.Json;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Gguf.Files;
using OrleansLlm.Templates.Ollama;

namespace OrleansLlm.Abstractions.Prompts;

/// <summary>
/// Chats with tools (or tool turns: assistant calls, tool results) rendered through the model's
/// known Go template where the runner's template cannot express them — for every front-end: the
/// HTTP APIs and the .NET client library. The rendered prompt goes to the model as a raw prompt;
/// every other chat keeps the runner's path (llama.cpp applying the GGUF's template), and its
/// header is not read.
/// </summary>
public static class ChatPrompt
{
    /// <exception cref="ToolsNotSupportedException">Tools for a model whose template does not use them (Ollama refuses them too).</exception>
    public static PreparedRequest Prepare(string name, string path, ModelFileCache files, GenerateRequest request,
        IReadOnlyList<TemplateMessage> messages, IReadOnlyList<JsonElement> tools)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(tools);
        var toolTurns = messages.Any(m => m.ToolCalls.Count > 0 || m.Role == "tool");
        if (request.IsLoadOnly || (tools.Count == 0 && !toolTurns))
            return new PreparedRequest(request, null);
        var model = ModelTemplate.Of(files, path);
        if (!model.SupportsTools)
        {
            if (tools.Count > 0)
                throw new ToolsNotSupportedException(name);
            return new PreparedRequest(request, null);
        }
        var known = model.Known!;
        var prompt = known.Template.Execute(new TemplateValues { Messages = messages, Tools = tools });
        return new PreparedRequest(Raw(request, prompt, known.Stop), tools.Count > 0 ? known.Template.ToolCallTag : null);
    }

    /// <summary>The rendered prompt as a raw request; the template's stop strings when the request named none (Ollama's template parameters).</summary>
    public static GenerateRequest Raw(GenerateRequest request, string prompt, IReadOnlyList<string> stop)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(stop);
        return request with
        {
            Prompt = prompt,
            Messages = null,
            System = null,
            Raw = true,
            Sampling = request.Sampling.Stop.Count == 0 && stop.Count > 0 ? request.Sampling with { Stop = [.. stop] } : request.Sampling,
        };
    }
}
