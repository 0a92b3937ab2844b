namespace OrleansLlm.Abstractions.Models;

/// <summary>A ModelGrain's runner: unloaded → loading → ready → unloading → unloaded.</summary>
[GenerateSerializer, Alias("ollm.ModelState")]
public enum ModelState
{
    Unloaded,
    Loading,
    Ready,
    Unloading,
}
