using Orleans.Placement;

namespace OrleansLlm.Grains.Placement;

/// <summary>Places a model grain on the silo whose GPUs fit the model (see <see cref="GpuFitPlacementDirector"/>).</summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking, Alias("ollm.GpuFitPlacement")]
public sealed class GpuFitPlacement : PlacementStrategy;

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class GpuFitPlacementAttribute() : PlacementAttribute(new GpuFitPlacement());
