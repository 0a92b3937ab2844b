namespace OrleansLlm.Grains.Hosting;

/// <summary>Whether this silo is shutting down: readiness fails and placement passes it by from that moment on.</summary>
public sealed class SiloDrainState
{
    private volatile bool _draining;

    public bool Draining => _draining;

    public void Begin() => _draining = true;
}
