using Orleans.Placement;

namespace OrleansLlm.Grains.Placement;

/// <summary>Places a grain keyed by a silo address on exactly that silo (one GpuSiloGrain per silo).</summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking, Alias("ollm.SiloBoundPlacement")]
public sealed class SiloBoundPlacement : PlacementStrategy;

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class SiloBoundPlacementAttribute() : PlacementAttribute(new SiloBoundPlacement());
