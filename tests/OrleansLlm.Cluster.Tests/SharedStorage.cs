using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Storage;

namespace OrleansLlm.Cluster.Tests;

/// <summary>
/// Grain state and reminders kept outside the silos, as a database or Azure Storage keeps them:
/// Orleans' in-memory providers keep them in grains, which die with a killed silo, and the
/// host-loss tests need them to outlive it. Partitioned by service id, one per test cluster.
/// </summary>
internal static class SharedStore
{
    public static readonly ConcurrentDictionary<(string Service, string Key), (string Json, string ETag)> States = new();
    public static readonly ConcurrentDictionary<string, ConcurrentDictionary<(GrainId Grain, string Name), ReminderEntry>> Reminders = new();
}

internal sealed class SharedGrainStorage(IOptions<ClusterOptions> cluster) : IGrainStorage
{
    /// <summary>Writes for grains whose key contains this take <see cref="SlowWriteDelay"/>, as a slow store would.</summary>
    public const string SlowWriteMarker = "slow-store";

    public static readonly TimeSpan SlowWriteDelay = TimeSpan.FromSeconds(1);

    /// <summary>Writes for grains whose key contains this fail while <see cref="FailWrites"/> is set, as an unreachable store does.</summary>
    public const string FailingWriteMarker = "failing-store";

    public static volatile bool FailWrites = true;

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (SharedStore.States.TryGetValue(Key(stateName, grainId), out var stored))
        {
            grainState.State = JsonSerializer.Deserialize<T>(stored.Json)!;
            grainState.ETag = stored.ETag;
            grainState.RecordExists = true;
        }
        return Task.CompletedTask;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = Key(stateName, grainId);
        if (key.Item2.Contains(SlowWriteMarker, StringComparison.Ordinal))
            await Task.Delay(SlowWriteDelay);
        if (FailWrites && key.Item2.Contains(FailingWriteMarker, StringComparison.Ordinal))
            throw new TimeoutException($"the grain store did not answer writing {key.Item2}");
        var etag = Guid.NewGuid().ToString("N");
        var json = JsonSerializer.Serialize(grainState.State);
        SharedStore.States.AddOrUpdate(key,
            _ => grainState.ETag is null ? (json, etag) : throw new InconsistentStateException($"no state for {key}, expected ETag {grainState.ETag}"),
            (_, old) => old.ETag == grainState.ETag ? (json, etag) : throw new InconsistentStateException($"ETag mismatch for {key}"));
        grainState.ETag = etag;
        grainState.RecordExists = true;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        SharedStore.States.TryRemove(Key(stateName, grainId), out _);
        grainState.ETag = null;
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }

    private (string, string) Key(string stateName, GrainId grainId) => (cluster.Value.ServiceId, $"{stateName}/{grainId}");
}

internal sealed class SharedReminderTable(IOptions<ClusterOptions> cluster) : IReminderTable
{
    private ConcurrentDictionary<(GrainId Grain, string Name), ReminderEntry> Table => SharedStore.Reminders.GetOrAdd(cluster.Value.ServiceId, _ => new());

    public Task<ReminderTableData> ReadRows(GrainId grainId) =>
        Task.FromResult(new ReminderTableData(Table.Values.Where(e => e.GrainId == grainId).ToArray()));

    public Task<ReminderTableData> ReadRows(uint begin, uint end) =>
        Task.FromResult(new ReminderTableData(Table.Values.Where(e => InRange(e.GrainId.GetUniformHashCode(), begin, end)).ToArray()));

    public Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName) =>
        Task.FromResult(Table.TryGetValue((grainId, reminderName), out var entry) ? entry : null);

    public Task<string?> UpsertRow(ReminderEntry entry)
    {
        entry.ETag = Guid.NewGuid().ToString("N");
        Table[(entry.GrainId, entry.ReminderName)] = entry;
        return Task.FromResult<string?>(entry.ETag);
    }

    public Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag)
    {
        var key = (grainId, reminderName);
        return Task.FromResult(Table.TryGetValue(key, out var entry) && entry.ETag == eTag && Table.TryRemove(key, out _));
    }

    public Task TestOnlyClearTable()
    {
        Table.Clear();
        return Task.CompletedTask;
    }

    // Orleans' ring ranges: (begin, end], wrapping around when begin >= end.
    private static bool InRange(uint hash, uint begin, uint end) =>
        begin < end ? hash > begin && hash <= end : hash > begin || hash <= end;
}
