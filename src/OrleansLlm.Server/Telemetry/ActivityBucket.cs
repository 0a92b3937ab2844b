namespace OrleansLlm.Server.Telemetry;

/// <summary>
/// Requests that ended in one <see cref="ApiActivity"/> bucket, those that failed, and the mean
/// time to first token of the successful ones (null when none produced a token).
/// </summary>
internal sealed record ActivityBucket(DateTimeOffset Start, int Requests, int Failed, double? MeanTimeToFirstTokenSeconds);
