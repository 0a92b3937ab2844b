using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Orleans.Runtime.Messaging;
using OrleansLlm.Abstractions.Autoscaling;
using OrleansLlm.Abstractions.Errors;

namespace OrleansLlm.Abstractions.Models;

/// <summary>
/// How a front-end calls models: it passes the runner options to placement, re-places a model
/// whose activation gave up its silo, and bounds the requests waiting for a model load.
/// </summary>
/// <remarks>
/// The bound (<c>OLLAMA_MAX_QUEUE</c>) lives here, per front-end: a request counts from the
/// moment its model says it must wait for a load until it starts, so requests to a loaded model
/// never count and never wait behind another model's load. Where loads queue for GPU room is the
/// GPU silo's business (a FIFO per silo); this bound protects the front-end and answers at once.
/// </remarks>
/// <param name="hostWait">With the autoscaler (README "Autoscaling"): report models no running host can take, and wait for a host.</param>
public sealed class ModelClient(IGrainFactory grains, int maxQueue, HostWait? hostWait = null)
{
    /// <summary>
    /// How many times one request may follow its model to a new placement (see README's
    /// "Relocation"). Silos send a load away only on its request's first placement, and a load
    /// waiting for busy models moves to a silo with room only while the budget lasts, so the
    /// budget runs out only when placement itself keeps failing; then the error reaches the caller.
    /// </summary>
    public const int MaxRelocations = 6;

    /// <summary>
    /// The first wait before calling again, doubled each time (0.25 s … 8 s, about 16 s over the
    /// budget): long enough for the old activation to go, and for membership to declare a lost
    /// host dead — until then the calls routed through it fail at once.
    /// </summary>
    private static readonly TimeSpan RelocationBackoff = TimeSpan.FromMilliseconds(250);

    /// <summary>How often a request waiting for a GPU host tries to place its model again.</summary>
    private static readonly TimeSpan HostPoll = TimeSpan.FromSeconds(1);

    /// <summary>A request waiting for a host tries to place its model at least this often, even if no host came.</summary>
    private static readonly TimeSpan HostRetry = TimeSpan.FromSeconds(5);

    private int _pending;

    /// <summary>Requests now waiting for a model load.</summary>
    public int Pending => Volatile.Read(ref _pending);

    /// <summary>Embeddings through the model grain: the same stream, queue bound and re-placement as a generation.</summary>
    public async Task<EmbedResult> EmbedAsync(string modelPath, EmbedRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await foreach (var item in Follow(modelPath, request.Runner, (grain, ct) => grain.Embed(request, ct), cancellationToken))
        {
            if (item.Kind == GenerationEventKind.Done)
                return new EmbedResult(item.Embeddings ?? [], item.Stats?.LoadDurationNs ?? 0, item.Stats?.TotalDurationNs ?? 0);
        }
        throw new InvalidOperationException($"the embedding stream of '{modelPath}' ended without its result");
    }

    public IAsyncEnumerable<GenerationEvent> GenerateAsync(string modelPath, GenerateRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Follow(modelPath, request.Runner, (grain, ct) => grain.Generate(request, ct), cancellationToken);
    }

    /// <summary>One call to a model's stream, followed wherever the model is placed again, counted against the queue bound while it waits for a load.</summary>
    private async IAsyncEnumerable<GenerationEvent> Follow(string modelPath, Scheduling.Options.RunnerOptions runner,
        Func<IModelGrain, CancellationToken, IAsyncEnumerable<GenerationEvent>> call, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var started = false;
        // The answer's last event (Done) reached the caller: what fails after it is only the
        // stream's close, which Orleans fetches with one more call to the activation.
        var answered = false;
        // Counted once per request, from its first "queued" until it starts or ends: a request
        // placed again keeps its place against the bound, so a newer request cannot take it
        // during the relocation backoff and get the older one refused.
        var counted = false;
        try
        {
            var relocations = 0;
            var relocating = false;
            var waitingSince = (DateTimeOffset?)null;
            var readyHosts = -1;
            // The model's primary decides which of its runners serves (README "Replicas"): a
            // redirect names a replica, called at once; anything that sends the request round
            // again asks the primary anew.
            string? runnerKey = null;
            string? avoid = null;
            while (true)
            {
                if (relocating)
                    await Task.Delay(RelocationBackoff * (1 << (relocations - 1)), cancellationToken);
                relocating = false;
                Exception? noHost = null;
                var target = runnerKey ?? modelPath;
                runnerKey = null;
                ModelRequestContext.Set(runner, relocations, avoid);
                var stream = call(grains.GetGrain<IModelGrain>(target), cancellationToken).GetAsyncEnumerator(cancellationToken);
                try
                {
                    while (true)
                    {
                        bool more;
                        try
                        {
                            more = await stream.MoveNextAsync();
                        }
                        catch (Exception e) when (!started && relocations < MaxRelocations && (e is ModelRelocatingException or NoRoomForReplicaException or EnumerationAbortedException or OrleansMessageRejectionException or ConnectionFailedException or TimeoutException
                            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested)))
                        {
                            // Before the answer started, the model's activation left its silo (a
                            // relocating activation also aborts the streams it held, and forwards the
                            // calls queued to it), or the call never got an answer from the cluster (a
                            // gateway or silo just lost: a stream's first reply is otherwise a heartbeat
                            // well within the call timeout; or, not the caller's cancellation, a directory
                            // lookup the distributed directory cancelled while it rebuilt a lost silo's
                            // partition), or a replica it was sent to went meanwhile (and could not be
                            // placed again): call again, and the director places it anew.
                            relocating = true;
                            relocations++;
                            // A replica that did not answer (its host lost, not yet declared dead): the primary sends this request elsewhere.
                            avoid = target != modelPath ? target : null;
                            // On the caller's span (the HTTP request's): the trace shows each time the request followed its model.
                            Activity.Current?.AddEvent(new ActivityEvent("ollm.relocating", tags: new ActivityTagsCollection { ["ollm.relocations"] = relocations, ["exception.type"] = e.GetType().Name }));
                            break;
                        }
                        catch (Exception e) when (!started && hostWait is { Report: true } && e is NoGpuHostException or ModelTooLargeException)
                        {
                            // No running host takes the model: the autoscaler may start one.
                            noHost = e;
                            break;
                        }
                        catch (Exception e) when (answered && e is EnumerationAbortedException or SiloUnavailableException or OrleansMessageRejectionException or TimeoutException)
                        {
                            // The activation left between the answer's end and the stream's close (a
                            // drain, or a host lost just then): the caller has the whole answer, so
                            // the stream ends as it would have.
                            Activity.Current?.AddEvent(new ActivityEvent("ollm.closed_after_answer", tags: new ActivityTagsCollection { ["exception.type"] = e.GetType().Name }));
                            more = false;
                        }
                        catch (Exception e) when (started && e is EnumerationAbortedException or SiloUnavailableException or OrleansMessageRejectionException or NoRoomForReplicaException)
                        {
                            // Mid-answer, the silo went away: a clear error for the caller (the next
                            // request places the model again), not Orleans' enumerator bookkeeping (a
                            // replica's next item is addressed to an activation placed anew, which a
                            // replica refuses where it would share a silo with its primary).
                            throw new ModelHostLostException($"the host serving model '{Path.GetFileNameWithoutExtension(modelPath)}' was lost mid-answer; retry the request", e);
                        }
                        catch (TimeoutException e) when (started)
                        {
                            // A killed silo's calls fail only at the call timeout, before membership tells this client.
                            throw new ModelHostLostException($"the host serving model '{Path.GetFileNameWithoutExtension(modelPath)}' stopped answering mid-answer (lost, or slower than the call timeout); retry the request", e);
                        }
                        finally
                        {
                            ModelRequestContext.Clear();
                        }
                        if (!more)
                            yield break;
                        var item = stream.Current;
                        if (item.Kind == GenerationEventKind.Redirected && !started && target == modelPath)
                        {
                            runnerKey = item.Text;
                            Activity.Current?.AddEvent(new ActivityEvent("ollm.redirected", tags: new ActivityTagsCollection { ["ollm.runner"] = runnerKey }));
                            break;
                        }
                        switch (item.Kind)
                        {
                            case GenerationEventKind.Queued when !counted:
                                counted = true;
                                Activity.Current?.AddEvent(new ActivityEvent("ollm.queued", tags: new ActivityTagsCollection { ["ollm.silo"] = item.SiloAddress }));
                                if (Interlocked.Increment(ref _pending) > maxQueue)
                                    throw new ServerBusyException();
                                break;
                            case GenerationEventKind.Started or GenerationEventKind.Done when counted:
                                counted = false;
                                Interlocked.Decrement(ref _pending);
                                break;
                        }
                        started |= item.Kind is GenerationEventKind.Started or GenerationEventKind.Done;
                        answered |= item.Kind is GenerationEventKind.Done;
                        yield return item;
                    }
                }
                finally
                {
                    await stream.DisposeAsync();
                }
                if (runnerKey is not null)
                    continue;
                if (noHost is not null)
                {
                    waitingSince ??= DateTimeOffset.UtcNow;
                    if (!counted)
                    {
                        // Waiting for a host is waiting for a load: it counts against the queue bound.
                        counted = true;
                        if (Interlocked.Increment(ref _pending) > maxQueue)
                            throw new ServerBusyException();
                    }
                    // Place it again only when a host came (or went): each failed placement is an
                    // error in the silo's log, and nothing changes until the fleet does.
                    var ready = await WaitForHost(modelPath, runner, noHost, waitingSince.Value, cancellationToken);
                    if (readyHosts < 0)
                        readyHosts = ready; // the fleet as this request first found it
                    var since = DateTimeOffset.UtcNow;
                    while (ready == readyHosts && DateTimeOffset.UtcNow - since < HostRetry)
                    {
                        await Task.Delay(HostPoll, cancellationToken);
                        ready = await WaitForHost(modelPath, runner, noHost, waitingSince.Value, cancellationToken);
                    }
                    readyHosts = ready;
                }
            }
        }
        finally
        {
            if (counted)
                Interlocked.Decrement(ref _pending);
        }
    }

    /// <summary>
    /// Tells the autoscaler that no running host takes the model, and returns if a host that holds
    /// it can come before the wait's deadline; otherwise throws what the caller should see.
    /// </summary>
    /// <returns>How many GPU hosts are ready now.</returns>
    private async Task<int> WaitForHost(string modelPath, Scheduling.Options.RunnerOptions runner, Exception noHost, DateTimeOffset since, CancellationToken cancellationToken)
    {
        HostWaitAnswer answer;
        try
        {
            answer = await grains.GetGrain<IAutoscalerGrain>(0).ReportUnplaceable(modelPath, runner).WaitAsync(cancellationToken);
        }
        catch (Exception e) when (e is OrleansException or TimeoutException)
        {
            // No autoscaler answers (no control silo is up): no host will come for this request.
            answer = new HostWaitAnswer(HostWaitVerdict.NotScaling, 0);
        }
        var verdict = answer.Verdict;
        var deadline = hostWait?.Deadline ?? TimeSpan.Zero;
        if (verdict != HostWaitVerdict.Wait || deadline <= TimeSpan.Zero)
            ExceptionDispatchInfo.Throw(noHost);
        if (DateTimeOffset.UtcNow - since >= deadline)
            throw new HostWaitExpiredException($"no GPU host that holds model '{Path.GetFileNameWithoutExtension(modelPath)}' was ready within {deadline.TotalSeconds:0} s (OLLM_HOST_WAIT); try again later");
        return answer.ReadyHosts;
    }
}
