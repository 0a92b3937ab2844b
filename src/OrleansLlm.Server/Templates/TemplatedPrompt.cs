using System.Text.Json;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Abstractions.Prompts;
using OrleansLlm.Gguf.Files;
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
        return new PreparedRequest(ChatPrompt.Raw(request, Render(template, values, userTemplate: true), []), null);
    }

    /// <summary>
    /// A chat with tools or tool turns (assistant <c>tool_calls</c>, <c>tool</c> results): through the
    /// model's known template, as every front-end prepares it (<see cref="ChatPrompt"/>).
    /// </summary>
    public static PreparedRequest ForChat(string path, ModelFileCache files, ApiRequest call) =>
        ChatPrompt.Prepare(call.Model, path, files, call.Request, call.Messages, call.Tools);

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
}
