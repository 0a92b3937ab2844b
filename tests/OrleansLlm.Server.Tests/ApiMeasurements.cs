using System.Diagnostics.Metrics;

namespace OrleansLlm.Server.Tests;

/// <summary>Every measurement of one server's <c>OrleansLlm.Api</c> meter (not another test server's), as an exporter reads them.</summary>
internal sealed class ApiMeasurements : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<Measurement> _measurements = [];

    public ApiMeasurements(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter == meter)
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<double>((i, v, t, _) => Add(i, v, t));
        _listener.SetMeasurementEventCallback<long>((i, v, t, _) => Add(i, v, t));
        _listener.Start();
    }

    public IReadOnlyList<Measurement> All(string instrument, string endpoint)
    {
        lock (_measurements)
            return [.. _measurements.Where(m => m.Instrument == instrument && (string?)m.Tags["ollm.api.endpoint"] == endpoint)];
    }

    /// <summary>The measurements once <paramref name="count"/> have come: the filter records after the response is sent.</summary>
    public async Task<IReadOnlyList<Measurement>> Where(string instrument, string endpoint, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (All(instrument, endpoint).Count < count && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        var found = All(instrument, endpoint);
        Assert.True(found.Count == count, $"{found.Count} measurements of {instrument} for {endpoint}, expected {count}");
        return found;
    }

    public async Task<Measurement> Single(string instrument, string endpoint) => (await Where(instrument, endpoint, 1))[0];

    /// <summary>The first measurement that matches, once it has come.</summary>
    public async Task<Measurement> First(string instrument, string endpoint, Func<Measurement, bool> matches)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!All(instrument, endpoint).Any(matches) && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        var all = All(instrument, endpoint);
        return all.FirstOrDefault(matches) ?? throw new Xunit.Sdk.XunitException($"no matching measurement of {instrument} for {endpoint} among {all.Count}: {string.Join("; ", all.Select(m => string.Join(",", m.Tags)))}");
    }

    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>();
        foreach (var tag in tags)
            copy[tag.Key] = tag.Value;
        lock (_measurements)
            _measurements.Add(new Measurement(instrument.Name, value, copy));
    }
}

internal sealed record Measurement(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags);
