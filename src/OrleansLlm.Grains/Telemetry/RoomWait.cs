using System.Diagnostics;
using OrleansLlm.Abstractions.Gpus;
using OrleansLlm.Scheduling.Admission;

namespace OrleansLlm.Grains.Telemetry;

/// <summary>
/// The span <c>ollm.model.wait_for_room</c> of one load: started by the GPU silo's first answer that
/// is not a grant, with an event for each new reason (evict these, wait for busy models, …), ended
/// by the grant or by the load leaving. No span when the first answer is a grant.
/// </summary>
internal sealed class RoomWait : IDisposable
{
    private Activity? _span;
    private string? _reason;

    public void Answered(LoadTicket ticket)
    {
        if (ticket.Verdict == AdmissionVerdict.Grant)
        {
            Dispose();
            return;
        }
        _span ??= OrleansLlmTracing.Source.StartActivity("ollm.model.wait_for_room");
        if (_span is null || ticket.Reason == _reason)
            return;
        _reason = ticket.Reason;
        _span.SetTag("ollm.wait.reason", ticket.Reason);
        _span.AddEvent(new ActivityEvent(ticket.Verdict.ToString().ToLowerInvariant(), tags: new ActivityTagsCollection
        {
            ["reason"] = ticket.Reason,
            ["victims"] = string.Join(",", ticket.Victims),
        }));
    }

    public void Dispose()
    {
        _span?.Dispose();
        _span = null;
    }
}
