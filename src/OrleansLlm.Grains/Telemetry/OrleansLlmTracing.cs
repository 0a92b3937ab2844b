using System.Diagnostics;

namespace OrleansLlm.Grains.Telemetry;

/// <summary>
/// Our spans, on the <see cref="SourceName"/> activity source: placement (which silo, why), a
/// model request on its silo (hit or miss, queued, first token), the load (with the wait for room
/// and its reason). They join the request's trace through Orleans' activity propagation.
/// </summary>
public static class OrleansLlmTracing
{
    public const string SourceName = "OrleansLlm";

    internal static readonly ActivitySource Source = new(SourceName);

    /// <summary>
    /// A span whose parent is the caller's, from the <c>traceparent</c> Orleans' propagation put in
    /// the request context: a placement director runs before the activation, outside any grain call's span.
    /// </summary>
    internal static Activity? StartFromRequestContext(string name, IReadOnlyDictionary<string, object>? requestContext)
    {
        if (!Source.HasListeners())
            return null;
        var parent = default(ActivityContext);
        if (requestContext?.GetValueOrDefault("traceparent") is string traceParent)
            ActivityContext.TryParse(traceParent, requestContext.GetValueOrDefault("tracestate") as string, isRemote: true, out parent);
        return Source.StartActivity(name, ActivityKind.Internal, parent);
    }
}
