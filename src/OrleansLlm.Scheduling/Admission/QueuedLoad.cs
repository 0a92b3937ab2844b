namespace OrleansLlm.Scheduling.Admission;

/// <summary>A load waiting for room on a GPU silo: since when, and how many requests wait for it.</summary>
/// <param name="WaitingRequests">
/// The requests waiting for this load, as the model last told the silo when it asked (each ask
/// refreshes it, so it is at most one <c>LoadWaitPoll</c> old).
/// </param>
public sealed record QueuedLoad(string ModelPath, DateTimeOffset Since, int WaitingRequests = 1);
