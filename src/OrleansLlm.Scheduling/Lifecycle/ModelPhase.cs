namespace OrleansLlm.Scheduling.Lifecycle;

/// <summary>Where a model's activation is in its life on one silo (see <see cref="ModelLifecycle"/>).</summary>
public enum ModelPhase
{
    /// <summary>No runner. The start, and the end of every unload and failed load.</summary>
    Unloaded,

    /// <summary>Getting room from the GPU silo, then loading the runner.</summary>
    Loading,

    /// <summary>The runner serves requests.</summary>
    Ready,

    /// <summary>The runner is closing and its memory coming back.</summary>
    Unloading,

    /// <summary>The activation gave up its silo before its load (relocated): it serves nothing more, and its callers follow the model.</summary>
    Leaving,
}
