namespace OrleansLlm.Scheduling.Reload;

/// <summary>Why a loaded runner cannot serve a request, or <see cref="None"/> when it can.</summary>
public enum ReloadReason
{
    None,
    AdaptersChanged,
    ProjectorsChanged,
    OptionsChanged,
    Unhealthy,
}
