using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OrleansLlm.Abstractions;
using OrleansLlm.Abstractions.Catalog;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Gguf.Files;

namespace OrleansLlm.Client;

public static class OrleansLlmClientServiceCollectionExtensions
{
    /// <summary>
    /// <see cref="IChatClient"/> and <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> backed by
    /// direct grain calls. The app joins the cluster as usual (<c>builder.UseOrleansClient(...)</c>,
    /// or co-hosts a silo); this adds OrleansLlm's serialization and the clients. The chat client is
    /// registered through <c>AddChatClient</c>: compose the returned builder
    /// (<c>.UseFunctionInvocation().UseOpenTelemetry().UseLogging()</c>) as with any other.
    /// </summary>
    public static ChatClientBuilder AddOrleansLlmClient(this IServiceCollection services, Action<OrleansLlmClientOptions>? configure = null)
    {
        var options = new OrleansLlmClientOptions();
        configure?.Invoke(options);
        services.AddOrleansLlmSerialization();
        services.TryAddSingleton(options);
        services.TryAddSingleton(new ModelCatalog(options.ModelsRoot));
        services.TryAddSingleton<ModelFileCache>();
        services.TryAddSingleton(sp => new ModelClient(sp.GetRequiredService<IGrainFactory>(), options.MaxQueue));
        services.AddEmbeddingGenerator(sp => ActivatorUtilities.CreateInstance<OrleansLlmEmbeddingGenerator>(sp));
        return services.AddChatClient(sp => ActivatorUtilities.CreateInstance<OrleansLlmChatClient>(sp));
    }
}
