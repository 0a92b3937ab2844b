using OrleansLlm.Abstractions.Gpus;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Grains.Telemetry;
using OrleansLlm.Scheduling.KeepAlive;
using OrleansLlm.Scheduling.Options;
using OrleansLlm.Scheduling.Reload;

namespace OrleansLlm.Grains.Models;

/// <summary>References, the idle countdown, and the durable keep-alive that restores a model after host loss.</summary>
internal sealed partial class ModelGrain
{
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != ReminderName || _relocating)
            return;
        _reminderRegistered = true;
        var state = saved.State;
        var stillWanted = state.WantLoaded && (state.Pinned || state.KeepAliveUntil > clock.GetUtcNow() || _refs > 0);
        if (!stillWanted)
        {
            await Forget();
            return;
        }
        if (_state == ModelState.Unloaded && _loadTask is null)
        {
            // The host that had it is gone (or it was evicted meanwhile): load it here, in the background.
            LogRestoring(logger, ModelPath, SiloAddress);
            _keepAlive = state.KeepAlive;
            var identity = RunnerIdentity.Of(state.Options ?? options.Value.Admit(RunnerOptions.Default));
            _ = RestoreInBackground(identity);
        }
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
        _refs++;
        if (_refs == 1)
            _idle = NewSignal();
        _keepAlive = keepAlive;
        _expiresAt = null;
        _expiry?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        await ReportUsage();
    }

    private async Task ReleaseReference()
    {
        _refs--;
        if (_refs > 0)
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
        if (KeepAlive.UnloadsWhenIdle && !_reloadPending && _pending == 0)
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
        if (_refs > 0 || _state != ModelState.Ready || KeepAlive.IsForever)
            return;
        _expiresAt = KeepAlive.ExpiresAt(clock);
        if (_expiresAt is { } at)
            _expiry?.Change(ExpiryTimer.NextDue(clock.GetUtcNow(), at), Timeout.InfiniteTimeSpan);
    }

    private async Task OnExpiryTimer()
    {
        if (_refs > 0 || _state != ModelState.Ready || _expiresAt is not { } at)
            return;
        if (clock.GetUtcNow() < at)
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
            await LocalGpus.ReportUsage(ModelPath, new RunnerUsage(_refs, KeepAlive, _refs == 0 ? _expiresAt : null));
        }
        catch (Exception e) when (e is not (OutOfMemoryException or OperationCanceledException))
        {
            LogUsageReportFailed(logger, ModelPath, e.Message);
        }
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
            _persistRetry?.Change(PersistRetryDelay, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Writes the intent of the model as it is now: loaded (remember) or not (forget).</summary>
    private Task OnPersistRetry() => _state == ModelState.Ready ? Remember(_identity?.Options) : Forget();

    private async Task RememberNow(RunnerOptions? runnerOptions)
    {
        var state = saved.State;
        var until = KeepAlive.IsForever ? null : _expiresAt;
        var period = options.Value.KeepAliveReminderPeriod;
        var changed = _intentStale || !state.WantLoaded || state.KeepAlive != KeepAlive || state.Options != runnerOptions
            || (until is { } u && (state.KeepAliveUntil is not { } saved_ || u - saved_ > period / 2));
        if (changed)
        {
            state.WantLoaded = true;
            state.KeepAlive = KeepAlive;
            state.KeepAliveUntil = until;
            state.Options = runnerOptions;
            await saved.WriteStateAsync();
        }
        var worthRestoring = KeepAlive.IsForever || KeepAlive.Duration > period;
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
        if (_state != ModelState.Unloaded || _loadTask is not null)
            return;
        await Forget();
        await Retire();
    }

    /// <summary>Unloaded and idle: free the activation (and any claim), so the next load is placed afresh.</summary>
    private async Task Retire()
    {
        // A request may have started a new load while this activation awaited its unload: its
        // reservation is not ours to drop.
        if (_state != ModelState.Unloaded || _loadTask is not null)
            return;
        await LocalGpus.Release(ModelPath);
        // Not at once: a stream that just ended may still have its last reply in flight, and
        // deactivating under it aborts the caller's enumeration.
        _retire?.Change(RetireDelay, Timeout.InfiniteTimeSpan);
    }

    private Task OnRetireTimer()
    {
        if (_state == ModelState.Unloaded && _refs == 0 && _pending == 0 && _openStreams == 0 && _loadTask is null)
            this.DeactivateOnIdle();
        return Task.CompletedTask;
    }
}
