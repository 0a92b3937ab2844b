namespace OrleansLlm.Abstractions.Autoscaling;

/// <summary>
/// How a front-end treats a model that no running GPU host takes: <paramref name="Report"/> it to
/// the autoscaler (<c>OLLM_AUTOSCALER</c> advisory or on), and with the autoscaler on, wait up to
/// <paramref name="Deadline"/> (<c>OLLM_HOST_WAIT</c>) for a host instead of failing at once.
/// </summary>
public sealed record HostWait(bool Report, TimeSpan Deadline);
