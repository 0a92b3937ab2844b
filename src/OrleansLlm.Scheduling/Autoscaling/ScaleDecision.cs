namespace OrleansLlm.Scheduling.Autoscaling;

/// <summary>What one tick decided: its actions, and the host counts the dashboard shows.</summary>
/// <param name="Running">Hosts starting or ready now.</param>
/// <param name="Desired">Hosts starting or ready once the actions are carried out.</param>
/// <param name="Unmet">Demand no start can meet now (caps, quota, back-off, or no host type holds it), with why.</param>
public sealed record ScaleDecision(IReadOnlyList<ScaleAction> Actions, int Running, int Desired, IReadOnlyList<string> Unmet)
{
    public static ScaleDecision None(int running) => new([], running, running, []);
}
