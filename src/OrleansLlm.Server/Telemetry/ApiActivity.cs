using System.Diagnostics.Metrics;

namespace OrleansLlm.Server.Telemetry;

/// <summary>
/// The front-end's recent request rate and time to first token, for the dashboard's sparklines:
/// read from <see cref="ApiMetrics"/>' own instruments through a <see cref="MeterListener"/> (the
/// numbers have one owner), summed into <see cref="BucketCount"/> buckets of
/// <see cref="BucketLength"/> — the last five minutes.
/// </summary>
internal sealed class ApiActivity : IDisposable
{
    public static readonly TimeSpan BucketLength = TimeSpan.FromSeconds(5);
    public const int BucketCount = 60;

    private readonly TimeProvider _clock;
    private readonly MeterListener _listener = new();
    private readonly Bucket[] _buckets = new Bucket[BucketCount];
    private readonly Lock _lock = new();

    public ApiActivity(ApiMetrics metrics, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        _clock = clock;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter == metrics.Meter && instrument.Name is ApiMetrics.RequestDurationName or ApiMetrics.TimeToFirstTokenName)
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            var failed = false;
            foreach (var tag in tags)
                failed |= tag.Key == "error.type";
            Add(instrument.Name, value, failed);
        });
        _listener.Start();
    }

    /// <summary>The buckets from oldest to newest, the current (still filling) one last.</summary>
    public IReadOnlyList<ActivityBucket> Recent()
    {
        var now = Index(_clock.GetUtcNow());
        var result = new ActivityBucket[BucketCount];
        lock (_lock)
        {
            for (var i = 0; i < BucketCount; i++)
            {
                var index = now - (BucketCount - 1) + i;
                var bucket = _buckets[Slot(index)];
                var start = DateTimeOffset.FromUnixTimeMilliseconds(index * (long)BucketLength.TotalMilliseconds);
                result[i] = bucket.Index == index
                    ? new ActivityBucket(start, bucket.Requests, bucket.Failed, bucket.FirstTokens == 0 ? null : bucket.FirstTokenSeconds / bucket.FirstTokens)
                    : new ActivityBucket(start, 0, 0, null);
            }
        }
        return result;
    }

    public void Dispose() => _listener.Dispose();

    private void Add(string instrument, double value, bool failed)
    {
        var index = Index(_clock.GetUtcNow());
        lock (_lock)
        {
            ref var bucket = ref _buckets[Slot(index)];
            if (bucket.Index != index)
                bucket = new Bucket { Index = index };
            if (instrument == ApiMetrics.RequestDurationName)
            {
                bucket.Requests++;
                if (failed)
                    bucket.Failed++;
            }
            else
            {
                bucket.FirstTokens++;
                bucket.FirstTokenSeconds += value;
            }
        }
    }

    private static long Index(DateTimeOffset at) => at.ToUnixTimeMilliseconds() / (long)BucketLength.TotalMilliseconds;

    private static int Slot(long index) => (int)(index % BucketCount);

    private struct Bucket
    {
        public long Index;
        public int Requests;
        public int Failed;
        public int FirstTokens;
        public double FirstTokenSeconds;
    }
}
