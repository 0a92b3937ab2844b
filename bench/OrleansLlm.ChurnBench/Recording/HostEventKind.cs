namespace OrleansLlm.ChurnBench.Recording;

/// <summary>What the elastic pool's provider did to a host.</summary>
internal enum HostEventKind
{
    StartCalled,
    Booting,
    Active,
    StartFailed,
    StopCalled,
    Stopped,
}
