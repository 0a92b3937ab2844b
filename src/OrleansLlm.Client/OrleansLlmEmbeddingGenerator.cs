using Microsoft.Extensions.AI;
using OrleansLlm.Abstractions.Catalog;
using OrleansLlm.Abstractions.Models;

namespace OrleansLlm.Client;

/// <summary>An <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> over the model grains.</summary>
public sealed class OrleansLlmEmbeddingGenerator(ModelClient models, ModelCatalog catalog, OrleansLlmClientOptions options) : IEmbeddingGenerator<string, Embedding<float>>
{
    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? generationOptions = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var name = generationOptions?.ModelId ?? options.DefaultModel;
        var path = catalog.Resolve(name) ?? throw new InvalidOperationException($"model '{name}' not found under {catalog.Root}");
        var result = await models.EmbedAsync(path, new EmbedRequest { Inputs = [.. values] }, cancellationToken);
        return [.. result.Embeddings.Select(v => new Embedding<float>(v) { ModelId = name })];
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}
