using Azure;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;

namespace OrleansLlm.Grains.Hosting;

/// <summary>The Azure Storage tables a cluster keeps its membership, reminders and grain state in.</summary>
public static class ClusterStorage
{
    /// <summary>How long start-up waits for the storage before it gives up with an error naming it.</summary>
    public static readonly TimeSpan ReachTimeout = TimeSpan.FromSeconds(15);

    public static TableServiceClient Tables(ClusterSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var options = new TableClientOptions
        {
            Retry = { MaxRetries = 3, Mode = RetryMode.Exponential, Delay = TimeSpan.FromMilliseconds(200), NetworkTimeout = TimeSpan.FromSeconds(10) },
        };
        if (settings.StorageConnectionString is { } connectionString)
            return new TableServiceClient(connectionString, options);
        // DefaultAzureCredential picks the user-assigned identity named by AZURE_CLIENT_ID.
        return new TableServiceClient(settings.StorageTableUri!, new DefaultAzureCredential(), options);
    }

    /// <summary>
    /// Fails fast, naming the endpoint, when the storage does not answer: Orleans itself would
    /// retry membership for minutes, and a process that hangs at start tells an operator nothing.
    /// </summary>
    /// <exception cref="InvalidOperationException">The storage did not answer within <see cref="ReachTimeout"/>, or refused.</exception>
    public static async Task EnsureReachableAsync(ClusterSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!settings.UsesAzure)
            return;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ReachTimeout);
        try
        {
            await foreach (var _ in Tables(settings).QueryAsync(maxPerPage: 1, cancellationToken: timeout.Token).AsPages(pageSizeHint: 1).WithCancellation(timeout.Token))
                break;
        }
        catch (Exception e) when (e is RequestFailedException or OperationCanceledException or AuthenticationFailedException or AggregateException
            && !cancellationToken.IsCancellationRequested)
        {
            var reason = e is OperationCanceledException ? $"no answer within {ReachTimeout.TotalSeconds:0} s" : e.Message.Split('\n')[0];
            throw new InvalidOperationException(
                $"cluster storage at {settings.StorageEndpoint} is not reachable ({reason}); check OLLM_STORAGE_TABLE_URI / OLLM_STORAGE_CONNECTION_STRING and the network", e);
        }
    }
}
