using OrleansLlm.Scheduling.Admission;
using OrleansLlm.Scheduling.Estimation;
using OrleansLlm.Scheduling.Gpus;

namespace OrleansLlm.Abstractions.Gpus;

/// <summary>The GPU silo's answer to a model that wants to load: <see cref="LoadAdmission"/>'s verdict, and for a grant the devices and estimate reserved.</summary>
[GenerateSerializer, Immutable, Alias("ollm.LoadTicket")]
public sealed record LoadTicket(
    [property: Id(0)] AdmissionVerdict Verdict,
    [property: Id(1)] IReadOnlyList<GpuInfo> Devices,
    [property: Id(2)] MemoryEstimate? Estimate,
    [property: Id(3)] IReadOnlyList<string> Victims,
    [property: Id(4)] string Reason,
    [property: Id(5)] long Version);
