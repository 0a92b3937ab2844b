namespace OrleansLlm.ChurnBench.Systems;

/// <summary>Orleans' reminder table over an <see cref="OutsideStore"/>.</summary>
internal sealed class OutsideReminderTable(OutsideStore store) : IReminderTable
{
    public Task<ReminderTableData> ReadRows(GrainId grainId) =>
        Task.FromResult(new ReminderTableData(store.Reminders.Values.Where(e => e.GrainId == grainId).ToArray()));

    public Task<ReminderTableData> ReadRows(uint begin, uint end) =>
        Task.FromResult(new ReminderTableData(store.Reminders.Values.Where(e => InRange(e.GrainId.GetUniformHashCode(), begin, end)).ToArray()));

    public Task<ReminderEntry?> ReadRow(GrainId grainId, string reminderName) =>
        Task.FromResult(store.Reminders.TryGetValue((grainId, reminderName), out var entry) ? entry : null);

    public Task<string?> UpsertRow(ReminderEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        entry.ETag = Guid.NewGuid().ToString("N");
        store.Reminders[(entry.GrainId, entry.ReminderName)] = entry;
        return Task.FromResult<string?>(entry.ETag);
    }

    public Task<bool> RemoveRow(GrainId grainId, string reminderName, string eTag)
    {
        var key = (grainId, reminderName);
        return Task.FromResult(store.Reminders.TryGetValue(key, out var entry) && entry.ETag == eTag && store.Reminders.TryRemove(key, out _));
    }

    public Task TestOnlyClearTable()
    {
        store.Reminders.Clear();
        return Task.CompletedTask;
    }

    // Orleans' ring ranges: (begin, end], wrapping around when begin >= end.
    private static bool InRange(uint hash, uint begin, uint end) =>
        begin < end ? hash > begin && hash <= end : hash > begin || hash <= end;
}
