using Orleans.Serialization;
using Orleans.Storage;

namespace OrleansLlm.ChurnBench.Systems;

/// <summary>Grain storage in an <see cref="OutsideStore"/>: copies in and out, with ETags checked as a table store checks them.</summary>
internal sealed class OutsideGrainStorage(OutsideStore store, DeepCopier copier) : IGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (store.States.TryGetValue(Key(stateName, grainId), out var stored))
        {
            grainState.State = copier.Copy((T)stored.State);
            grainState.ETag = stored.ETag;
            grainState.RecordExists = true;
        }
        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = Key(stateName, grainId);
        var etag = Guid.NewGuid().ToString("N");
        var copy = (object)copier.Copy(grainState.State)!;
        store.States.AddOrUpdate(key,
            _ => grainState.ETag is null ? (copy, etag) : throw new InconsistentStateException($"no state for {key}, expected ETag {grainState.ETag}"),
            (_, old) => old.ETag == grainState.ETag ? (copy, etag) : throw new InconsistentStateException($"ETag mismatch for {key}"));
        grainState.ETag = etag;
        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        store.States.TryRemove(Key(stateName, grainId), out _);
        grainState.ETag = null;
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }

    private static string Key(string stateName, GrainId grainId) => $"{stateName}/{grainId}";
}
