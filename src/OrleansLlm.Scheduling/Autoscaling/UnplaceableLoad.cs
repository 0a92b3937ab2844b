namespace OrleansLlm.Scheduling.Autoscaling;

/// <summary>
/// A model the cluster could not give room to: it fits on no running host even after evicting
/// idle models, or its load has waited for room longer than the budget.
/// </summary>
/// <param name="Bytes">Its GPU memory by the estimator, on the largest host type that holds it.</param>
/// <param name="FitsOn">The host types an empty host of which holds it; none, and no host can help.</param>
/// <param name="Since">When it was first reported.</param>
public sealed record UnplaceableLoad(string Model, long Bytes, IReadOnlyList<string> FitsOn, DateTimeOffset Since);
