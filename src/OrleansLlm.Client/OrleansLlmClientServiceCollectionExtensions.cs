using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OrleansLlm.Abstractions;
using OrleansLlm.Abstractions.Catalog;
using OrleansLlm.Abstractions.Models;

namespace OrleansLlm.Client;

public static class OrleansLlmClientServiceCollectionExtensions
{
    /// <summary>
    /// <see cref="IChatClient"/> and <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> backed by
    /// direct grain calls. The app joins the cluster as usual (<c>builder.UseOrleansClient(...)</c>,
    /// or co-hosts a silo); this adds OrleansLlm's serialization and the clients.
    /// </summary>
    public static IServiceCollection AddOrleansLlmClient(this IServiceCollection services, Action<OrleansLlmClientOptions>? configure = null)
    {
        var options = new OrleansLlmClientOptions();
        configure?.Invoke(options);
        services.AddOrleansLlmSerialization();
        services.TryAddSingleton(options);
        services.TryAddSingleton(new ModelCatalog(options.ModelsRoot));
        services.TryAddSingleton(sp => new ModelClient(sp.GetRequiredService<IGrainFactory>(), options.MaxQueue));
        services.TryAddSingleton<IChatClient, OrleansLlmChatClient>();
        services.TryAddSingleton<IEmbeddingGenerator<string, Embedding<float>>, OrleansLlmEmbeddingGenerator>();
        return services;
    }
}
