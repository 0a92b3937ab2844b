using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OrleansLlm.Abstractions.Catalog;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Abstractions.Prompts;
using OrleansLlm.Gguf.Files;
using OrleansLlm.Templates.Ollama;
using OrleansLlm.Templates.Tools;
using AiChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace OrleansLlm.Client;

/// <summary>
/// An <see cref="IChatClient"/> whose calls go straight to the model grains, streaming and
/// cancellable. Tools (<see cref="ChatOptions.Tools"/>) go through the model's Go template, as on
/// the HTTP APIs, and come back as <see cref="FunctionCallContent"/>; compose it with
/// <c>UseFunctionInvocation()</c> to have them called.
/// </summary>
public sealed class OrleansLlmChatClient(ModelClient models, ModelCatalog catalog, ModelFileCache files, OrleansLlmClientOptions options) : IChatClient
{
    private readonly ChatClientMetadata _metadata = new("orleansllm", defaultModelId: options.DefaultModel);

    public Task<ChatResponse> GetResponseAsync(IEnumerable<AiChatMessage> messages, ChatOptions? chatOptions = null, CancellationToken cancellationToken = default) =>
        GetStreamingResponseAsync(messages, chatOptions, cancellationToken).ToChatResponseAsync(cancellationToken);

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<AiChatMessage> messages, ChatOptions? chatOptions = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var name = chatOptions?.ModelId ?? options.DefaultModel;
        var path = catalog.Resolve(name) ?? throw new InvalidOperationException($"model '{name}' not found under {catalog.Root}");
        var conversation = ChatClientMessages.ToTemplateMessages(chatOptions?.Instructions, messages);
        var request = new GenerateRequest
        {
            Messages = [.. conversation.Select(m => new Abstractions.Models.ChatMessage(m.Role, m.Content))],
            Sampling = ChatClientMessages.Sampling(chatOptions),
            Format = chatOptions?.ResponseFormat is ChatResponseFormatJson json
                ? json.Schema is { } schema ? schema.GetRawText() : "json"
                : null,
        };
        var prepared = ChatPrompt.Prepare(name, path, files, request, conversation, ChatClientMessages.Tools(chatOptions));
        var calls = prepared.ToolCallTag is { } tag ? new ToolCallStream(tag) : null;
        var responseId = Guid.NewGuid().ToString("N");
        var called = false;

        await foreach (var item in models.GenerateAsync(path, prepared.Request, cancellationToken))
        {
            switch (item.Kind)
            {
                case GenerationEventKind.Token when calls is null:
                    yield return Update(name, responseId, new TextContent(item.Text));
                    break;
                case GenerationEventKind.Token:
                    foreach (var update in Updates(name, responseId, calls.Add(item.Text ?? "")))
                    {
                        called |= update.Contents.Any(c => c is FunctionCallContent);
                        yield return update;
                    }
                    break;
                case GenerationEventKind.Done:
                    if (calls is not null)
                    {
                        foreach (var update in Updates(name, responseId, calls.Finish()))
                        {
                            called |= update.Contents.Any(c => c is FunctionCallContent);
                            yield return update;
                        }
                    }
                    var stats = item.Stats ?? new GenerationStats();
                    yield return new ChatResponseUpdate
                    {
                        Role = ChatRole.Assistant,
                        ModelId = name,
                        ResponseId = responseId,
                        FinishReason = called ? ChatFinishReason.ToolCalls : item.DoneReason == "length" ? ChatFinishReason.Length : ChatFinishReason.Stop,
                        Contents = [new UsageContent(new UsageDetails
                        {
                            InputTokenCount = stats.PromptEvalCount,
                            OutputTokenCount = stats.EvalCount,
                            TotalTokenCount = stats.PromptEvalCount + stats.EvalCount,
                        })],
                    };
                    break;
            }
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
            return null;
        if (serviceType == typeof(ChatClientMetadata))
            return _metadata;
        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    public void Dispose()
    {
    }

    private static IEnumerable<ChatResponseUpdate> Updates(string model, string responseId, ToolCallOutput output)
    {
        if (output.Content.Length > 0)
            yield return Update(model, responseId, new TextContent(output.Content));
        foreach (var call in output.Calls)
            yield return Update(model, responseId, ChatClientMessages.ToFunctionCall(call, responseId));
    }

    private static ChatResponseUpdate Update(string model, string responseId, AIContent content) =>
        new(ChatRole.Assistant, [content]) { ModelId = model, ResponseId = responseId };
}
