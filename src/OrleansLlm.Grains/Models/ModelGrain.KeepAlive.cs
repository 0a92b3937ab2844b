using OrleansLlm.Abstractions.Gpus;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Grains.Telemetry;
using OrleansLlm.Scheduling.KeepAlive;
using OrleansLlm.Scheduling.Lifecycle;
using OrleansLlm.Scheduling.Options;
using OrleansLlm.Scheduling.Reload;

namespace OrleansLlm.Grains.Models;

/// <summary>References, the idle countdown, and the durable keep-alive that restores a model after host loss.</summary>
internal sealed partial class ModelGrain
{
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != ReminderName || _life.IsLeaving)
            return;
        _reminderRegistered = true;
        if (!StillWanted() && _life.Refs == 0)
        {
            await Forget();
            return;
        }
        await RestoreIfUnloaded();
    }

    /// <summary>The durable intent says the model should be loaded: pinned, or kept alive until a time still to come.</summary>
    private bool StillWanted() => saved.State.WantLoaded && (saved.State.Pinned || saved.State.KeepAliveUntil > clock.GetUtcNow());

    /// <summary>The host that had it is gone, or it drained: load it here, in the background, as it was.</summary>
    private Task RestoreIfUnloaded()
    {
        _restore?.Dispose();
        _restore = null;
        if (_life.Phase != ModelPhase.Unloaded || _life.LoadInFlight || !StillWanted())
            return Task.CompletedTask;
        var state = saved.State;
        LogRestoring(logger, ModelPath, SiloAddress);
        _life.KeepFor(state.KeepAlive);
        var identity = RunnerIdentity.Of(state.Options ?? options.Value.Admit(RunnerOptions.Default));
        _ = RestoreInBackground(identity);
        return Task.CompletedTask;
    }

    private async Task RestoreInBackground(RunnerIdentity identity)
    {
        try
        {
            await EnsureLoaded(identity, null, _lifetime.Token);
            ArmExpiry();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogRestoreFailed(logger, ModelPath, e.Message);
        }
    }

    private async Task AcquireReference(KeepAliveDuration keepAlive)
    {
        _life.Acquire(keepAlive);
        if (_life.Refs == 1)
            _idle = NewSignal();
        _expiry?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        await ReportUsage();
    }

    private async Task ReleaseReference()
    {
        if (!_life.Release())
        {
            await ReportUsage();
            return;
        }
        _idle.TrySetResult();
        await BecomeIdle();
    }

    /// <summary>Nobody uses the loaded model any more: unload now (keep-alive 0) or start the countdown.</summary>
    private async Task BecomeIdle()
    {
        if (_life.Yielding)
        {
            await UnloadYielded();
            return;
        }
        if (_life.UnloadsWhenIdle)
        {
            await UnloadRunner(UnloadReason.KeepAliveZero, "keep_alive 0: unloaded when idle");
            await ForgetAndRetire();
            return;
        }
        ArmExpiry();
        await ReportUsage();
        await Remember(_identity?.Options);
    }

    /// <summary>Starts the idle countdown: exact expiry by grain timer; forever never expires.</summary>
    private void ArmExpiry()
    {
        if (_life.StartCountdown(clock) is { } at)
            _expiry?.Change(ExpiryTimer.NextDue(clock.GetUtcNow(), at), Timeout.InfiniteTimeSpan);
    }

    private async Task OnExpiryTimer()
    {
        if (_life.Refs > 0 || _life.Phase != ModelPhase.Ready || _life.ExpiresAt is not { } at)
            return;
        if (!_life.HasExpired(clock.GetUtcNow()))
        {
            _expiry?.Change(ExpiryTimer.NextDue(clock.GetUtcNow(), at), Timeout.InfiniteTimeSpan); // a long keep-alive: the next step
            return;
        }
        await UnloadRunner(UnloadReason.Expired, "keep-alive expired");
        await ForgetAndRetire();
    }

    /// <summary>
    /// Tells the GPU silo how busy the model is, for its eviction choices. Advisory: a failed report
    /// is logged and corrected by the next one; it must never leave a reference counted.
    /// </summary>
    private async Task ReportUsage()
    {
        try
        {
            await LocalGpus.ReportUsage(RunnerKey, new RunnerUsage(_life.Refs, _life.KeepAlive, _life.ExpiresAt, _life.Yielding));
        }
        catch (Exception e) when (e is not (OutOfMemoryException or OperationCanceledException))
        {
            LogUsageReportFailed(logger, RunnerKey, e.Message);
        }
        await TellPrimary();
    }

    /// <summary>
    /// Persists that the model should be loaded, and arms the reminder that restores it elsewhere.
    /// The intent only matters after a host loss: a store that cannot be written is logged and
    /// retried, never a reason to fail a request that was served or a load that succeeded.
    /// </summary>
    private Task Remember(RunnerOptions? runnerOptions) => Persist(() => RememberNow(runnerOptions));

    /// <summary>The model should no longer be loaded: clear the durable state and the reminder (retried like <see cref="Remember"/>).</summary>
    private Task Forget() => Persist(ForgetNow);

    private async Task Persist(Func<Task> write)
    {
        if (!Key.IsPrimary)
            return; // a replica has no durable intent: nothing brings it back after a host loss

        // Interleaved calls (a stream's release, a drain, a retry) write one at a time: two writes
        // in flight with the same ETag would fail one of them for nothing.
        await _persisting.WaitAsync();
        try
        {
            if (_intentStale)
            {
                // A write that failed may have landed anyway: read the store's ETag before writing
                // again (and write whatever it holds: the state in memory is what failed to land).
                await saved.ReadStateAsync();
            }
            await write();
            _intentStale = false;
            _persistRetry?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
        catch (Exception e) when (e is not (OutOfMemoryException or OperationCanceledException))
        {
            _intentStale = true;
            LogPersistFailed(logger, ModelPath, e.Message);
            _persistRetry?.Change(options.Value.PersistRetryDelay, Timeout.InfiniteTimeSpan);
        }
        finally
        {
            _persisting.Release();
        }
    }

    /// <summary>Writes the intent of the model as it is now: loaded (remember) or not (forget).</summary>
    private Task OnPersistRetry() => _life.Phase == ModelPhase.Ready ? Remember(_identity?.Options) : Forget();

    private async Task RememberNow(RunnerOptions? runnerOptions)
    {
        var state = saved.State;
        var keepAlive = _life.KeepAlive;
        var until = keepAlive.IsForever ? null : _life.ExpiresAt;
        var period = options.Value.KeepAliveReminderPeriod;
        var changed = _intentStale || !state.WantLoaded || state.KeepAlive != keepAlive || state.Options != runnerOptions
            || (until is { } u && (state.KeepAliveUntil is not { } saved_ || u - saved_ > period / 2));
        if (changed)
        {
            state.WantLoaded = true;
            state.KeepAlive = keepAlive;
            state.KeepAliveUntil = until;
            state.Options = runnerOptions;
            await saved.WriteStateAsync();
        }
        var worthRestoring = keepAlive.IsForever || keepAlive.Duration > period;
        if (worthRestoring && !_reminderRegistered)
        {
            await this.RegisterOrUpdateReminder(ReminderName, period, period);
            _reminderRegistered = true;
        }
    }

    private async Task ForgetNow()
    {
        if (saved.State.WantLoaded || _intentStale)
        {
            saved.State.WantLoaded = false;
            saved.State.KeepAliveUntil = null;
            await saved.WriteStateAsync();
        }
        if (await this.GetReminder(ReminderName) is { } reminder)
            await this.UnregisterReminder(reminder);
        _reminderRegistered = false;
    }

    /// <summary>After an unload: unless a request interleaved and started loading the model again meanwhile, drop its durable intent and retire.</summary>
    private async Task ForgetAndRetire()
    {
        if (!_life.MayRetire)
            return;
        await Forget();
        await Retire();
    }

    /// <summary>Unloaded and idle: free the activation (and any claim), so the next load is placed afresh.</summary>
    private async Task Retire()
    {
        // A request may have started a new load while this activation awaited its unload: its
        // reservation is not ours to drop.
        if (!_life.MayRetire)
            return;
        await LocalGpus.Release(RunnerKey, "retired");
        // Not at once: a stream that just ended may still have its last reply in flight, and
        // deactivating under it aborts the caller's enumeration.
        _retire?.Change(options.Value.RetireDelay, Timeout.InfiniteTimeSpan);
    }

    private Task OnRetireTimer()
    {
        // A primary stays while it has replicas: it routes their requests, and unloads them on keep_alive 0.
        if (_life.MayDeactivate && _replicas.Count == 0)
            this.DeactivateOnIdle();
        return Task.CompletedTask;
    }
}
