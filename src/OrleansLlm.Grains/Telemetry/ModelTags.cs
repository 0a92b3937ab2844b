using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using OrleansLlm.Abstractions.Catalog;
using OrleansLlm.Grains.Configuration;

namespace OrleansLlm.Grains.Telemetry;

/// <summary>
/// How a model is named in the scheduler's metrics: as the API names it (<c>llama3:latest</c>) when
/// its file is under the models root, so a dashboard joins it to the front-end's
/// <c>gen_ai.request.model</c> and no server path leaves the silo; else by its path (a file
/// outside the root: only tests and the benchmark place those).
/// </summary>
public sealed class ModelTags(IOptions<OrleansLlmOptions> options)
{
    private readonly ModelCatalog _catalog = new(options.Value.Models);

    // The catalogue resolves links on disk: once per model, not at every measurement.
    private readonly ConcurrentDictionary<string, string> _names = new(StringComparer.Ordinal);

    public string Of(string modelPath) => _names.GetOrAdd(modelPath, path => Name(path) ?? path);

    private string? Name(string path)
    {
        try
        {
            return _catalog.NameOf(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }
}
