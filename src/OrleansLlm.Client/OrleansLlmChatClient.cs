using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.AI;
using OrleansLlm.Abstractions.Catalog;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Scheduling.Options;
using AiChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace OrleansLlm.Client;

/// <summary>An <see cref="IChatClient"/> whose calls go straight to the model grains, streaming and cancellable.</summary>
public sealed class OrleansLlmChatClient(ModelClient models, ModelCatalog catalog, OrleansLlmClientOptions options) : IChatClient
{
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<AiChatMessage> messages, ChatOptions? chatOptions = null, CancellationToken cancellationToken = default)
    {
        var text = new StringBuilder();
        ChatFinishReason? finish = null;
        UsageDetails? usage = null;
        await foreach (var update in GetStreamingResponseAsync(messages, chatOptions, cancellationToken))
        {
            text.Append(update.Text);
            finish = update.FinishReason ?? finish;
            usage = update.Contents.OfType<UsageContent>().FirstOrDefault()?.Details ?? usage;
        }
        return new ChatResponse(new AiChatMessage(ChatRole.Assistant, text.ToString()))
        {
            FinishReason = finish,
            Usage = usage,
            ModelId = chatOptions?.ModelId ?? options.DefaultModel,
        };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<AiChatMessage> messages, ChatOptions? chatOptions = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var name = chatOptions?.ModelId ?? options.DefaultModel;
        var path = catalog.Resolve(name) ?? throw new InvalidOperationException($"model '{name}' not found under {catalog.Root}");
        var request = new GenerateRequest
        {
            Messages = [.. messages.Select(m => new Abstractions.Models.ChatMessage(m.Role.Value, m.Text))],
            Sampling = SamplingOptions.Default with
            {
                NumPredict = chatOptions?.MaxOutputTokens ?? -1,
                Temperature = chatOptions?.Temperature ?? SamplingOptions.Default.Temperature,
                TopP = chatOptions?.TopP ?? SamplingOptions.Default.TopP,
                TopK = chatOptions?.TopK ?? SamplingOptions.Default.TopK,
                Seed = chatOptions?.Seed is { } seed ? (int)seed : -1,
                FrequencyPenalty = chatOptions?.FrequencyPenalty ?? 0,
                PresencePenalty = chatOptions?.PresencePenalty ?? 0,
                Stop = chatOptions?.StopSequences is { } stops ? [.. stops] : [],
            },
            Format = chatOptions?.ResponseFormat is ChatResponseFormatJson json
                ? json.Schema is { } schema ? schema.GetRawText() : "json"
                : null,
        };
        await foreach (var item in models.GenerateAsync(path, request, cancellationToken))
        {
            switch (item.Kind)
            {
                case GenerationEventKind.Token:
                    yield return new ChatResponseUpdate(ChatRole.Assistant, item.Text) { ModelId = name };
                    break;
                case GenerationEventKind.Done:
                    var stats = item.Stats ?? new GenerationStats();
                    yield return new ChatResponseUpdate
                    {
                        Role = ChatRole.Assistant,
                        ModelId = name,
                        FinishReason = item.DoneReason == "length" ? ChatFinishReason.Length : ChatFinishReason.Stop,
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

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}
