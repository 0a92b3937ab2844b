using OpenTelemetry.Trace;

namespace OrleansLlm.Server.Hosting;

/// <summary>
/// Which spans may start a trace: an HTTP request (ASP.NET Core's server span) and our own spans
/// with no caller (a reminder restoring a model). Orleans' runtime spans are needed for grain calls
/// made inside a request — Orleans puts every interface whose namespace starts with "Orleans",
/// <c>OrleansLlm.*</c> included, on its runtime source — but its own background calls (membership,
/// directory, reminders) would otherwise each start a trace of their own, many per second.
/// </summary>
internal sealed class TraceRootSampler : Sampler
{
    /// <summary>The name ASP.NET Core gives its server span when it starts it (the route comes later).</summary>
    internal const string HttpRequestIn = "Microsoft.AspNetCore.Hosting.HttpRequestIn";

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
        samplingParameters.Name == HttpRequestIn || samplingParameters.Name.StartsWith("ollm.", StringComparison.Ordinal)
            ? new SamplingResult(SamplingDecision.RecordAndSample)
            : new SamplingResult(SamplingDecision.Drop);
}
