using Azure.Core;

namespace OrleansLlm.Grains.Autoscaling.ContainerApps;

/// <summary>
/// How the provider's ARM requests are sent: Azure.Core's retries (which honour ARM's
/// <c>Retry-After</c> on 429 and retry 5xx), bounded so that one call of the autoscaler's tick
/// cannot wait for minutes; tests replace the transport.
/// </summary>
public sealed class ContainerAppsClientOptions : ClientOptions
{
    public ContainerAppsClientOptions()
    {
        Retry.Mode = RetryMode.Exponential;
        Retry.MaxRetries = 3;
        Retry.Delay = TimeSpan.FromSeconds(0.8);
        Retry.MaxDelay = TimeSpan.FromSeconds(20);
        Retry.NetworkTimeout = TimeSpan.FromSeconds(30);
    }
}
