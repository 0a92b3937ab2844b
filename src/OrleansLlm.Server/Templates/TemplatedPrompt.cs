using System.Text.Json;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Server.Api;
using OrleansLlm.Server.Api.Ollama;
using OrleansLlm.Templates.GoTemplates;
using OrleansLlm.Templates.Ollama;

namespace OrleansLlm.Server.Templates;

/// <summary>
/// Renders prompts in the front-end where the runner's template cannot: a request's own Go
/// <c>template</c>, and chats with tools (or tool turns) through the model's known Go template.
/// The rendered prompt goes to the model as a raw prompt, so runners and grains stay as they are;
/// every other request keeps the runner's path (llama.cpp applying the GGUF's template).
/// </summary>
internal static class TemplatedPrompt
{
    /// <summary><c>/api/generate</c>: the request's <c>template</c> over system, prompt and <c>suffix</c>.</summary>
    public static PreparedRequest ForGenerate(GenerateRequest request, JsonElement body)
    {
        var source = OllamaJson.String(body, "template");
        var suffix = OllamaJson.String(body, "suffix") ?? "";
        if (request.Raw || string.IsNullOrEmpty(source) || request.IsLoadOnly)
            return new PreparedRequest(request, null);
        OllamaTemplate template;
        try
        {
            template = OllamaTemplate.Parse(source);
        }
        catch (TemplateException e)
        {
            throw new BadRequestException(e.Message);
        }
        var values = suffix.Length > 0
            ? new TemplateValues { Prompt = request.Prompt ?? "", Suffix = suffix }
            : new TemplateValues
            {
                Messages = string.IsNullOrEmpty(request.System)
                    ? [new TemplateMessage("user", request.Prompt ?? "")]
                    : [new TemplateMessage("system", request.System), new TemplateMessage("user", request.Prompt ?? "")],
            };
        return new PreparedRequest(Raw(request, Render(template, values, userTemplate: true), []), null);
    }

    /// <summary>
    /// A chat with tools or tool turns (assistant <c>tool_calls</c>, <c>tool</c> results): through the
    /// model's known template when it supports tools; tools for a model whose template does not are
    /// refused, as Ollama refuses them. Other chats are left to the runner, and the header is not read.
    /// </summary>
    public static PreparedRequest ForChat(string name, string path, ModelTemplates templates, GenerateRequest request, JsonElement body, bool openAi)
    {
        var tools = ChatInput.Tools(body);
        var messages = ChatInput.Messages(body, openAi);
        var toolTurns = messages.Any(m => m.ToolCalls.Count > 0 || m.Role == "tool");
        if (request.IsLoadOnly || (tools.Count == 0 && !toolTurns))
            return new PreparedRequest(request, null);
        var model = templates.For(path);
        if (!model.SupportsTools)
        {
            if (tools.Count > 0)
                throw new BadRequestException($"model '{name}' does not support tools");
            return new PreparedRequest(request, null);
        }
        var known = model.Known!;
        var prompt = Render(known.Template, new TemplateValues { Messages = messages, Tools = tools }, userTemplate: false);
        return new PreparedRequest(Raw(request, prompt, known.Stop), tools.Count > 0 ? known.Template.ToolCallTag : null);
    }

    private static string Render(OllamaTemplate template, TemplateValues values, bool userTemplate)
    {
        try
        {
            return template.Execute(values);
        }
        catch (TemplateException e) when (userTemplate)
        {
            throw new BadRequestException(e.Message);
        }
    }

    /// <summary>The rendered prompt as a raw request; the template's stop strings when the request named none (Ollama's template parameters).</summary>
    private static GenerateRequest Raw(GenerateRequest request, string prompt, IReadOnlyList<string> stop) => request with
    {
        Prompt = prompt,
        Messages = null,
        System = null,
        Raw = true,
        Sampling = request.Sampling.Stop.Count == 0 && stop.Count > 0 ? request.Sampling with { Stop = [.. stop] } : request.Sampling,
    };
}
