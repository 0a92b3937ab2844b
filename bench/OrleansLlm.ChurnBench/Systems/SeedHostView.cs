namespace OrleansLlm.ChurnBench.Systems;

/// <summary>
/// What a router in front of a <see cref="SeedHost"/> sees of it for one model, read at once under
/// the host's lock (the facts Ollama-fleet routers read from <c>/api/ps</c> and the host's memory).
/// </summary>
/// <param name="FreeSlot">The model is loaded (or loading) here with fewer requests on it than <c>OLLAMA_NUM_PARALLEL</c> slots.</param>
/// <param name="FitsFree">The model would load here now beside the loaded ones (the host's own placement says so).</param>
/// <param name="FitsAfterIdleEvicted">It would load here once the idle runners were unloaded.</param>
/// <param name="Load">Requests on the host: holding its runners or waiting in its queue.</param>
internal sealed record SeedHostView(bool FreeSlot, bool FitsFree, bool FitsAfterIdleEvicted, int Load);
