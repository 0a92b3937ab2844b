namespace OrleansLlm.Scheduling.Autoscaling;

/// <summary><c>OLLM_AUTOSCALER</c>: what the autoscaler does with its decisions.</summary>
public enum AutoscalerMode
{
    /// <summary>No autoscaler runs; a request for a model that fits nowhere fails at once.</summary>
    Off,

    /// <summary>Decisions are made and logged with their reasons; no host is started or stopped.</summary>
    Advisory,

    /// <summary>Decisions are carried out through the host provider.</summary>
    On,
}
