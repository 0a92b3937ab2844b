namespace OrleansLlm.Grains.Autoscaling.ContainerApps;

/// <summary>One GPU silo app of the pool (an <c>OLLM_ACA_SILO_APPS</c> entry).</summary>
/// <param name="Name">The container app's name in the resource group.</param>
/// <param name="Type">Its host type, one of <c>OLLM_HOST_TYPES</c>.</param>
/// <param name="SiloEndpoint">The <c>ip:port</c> its silo advertises (the environment's static IP and the app's silo port).</param>
public sealed record ContainerAppsSiloApp(string Name, string Type, string SiloEndpoint);
