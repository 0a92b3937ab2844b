using System.Diagnostics;
using Azure;
using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Logging;
using OrleansLlm.Scheduling.Autoscaling;

namespace OrleansLlm.Grains.Autoscaling.ContainerApps;

/// <summary>
/// GPU hosts from Azure Container Apps: a pool of pre-provisioned one-replica silo apps
/// (infra/modules/silo.bicep) that ARM starts and stops (azure-container-apps.md §3). Start and
/// stop return once ARM accepted; the long-running operation is followed on the next
/// <see cref="ListAsync"/> (no sooner than ARM's <c>Retry-After</c>), and an app's status is its
/// runningStatus seen through the last start or stop asked of it: in between until runningStatus
/// shows the target, <see cref="ProvidedHostStatus.Failed"/> when the operation failed or has not
/// finished within <see cref="ContainerAppsHostSettings.OperationTimeout"/> — until the next start
/// or stop of that app (the autoscaler backs the type off and takes a Failed host for a stopped
/// one). runningStatus is read again only every <see cref="ContainerAppsHostSettings.StatusRefresh"/>
/// (or when an operation finished), since the autoscaler lists the pool every second.
/// </summary>
public sealed partial class ContainerAppsHostProvider : IGpuHostProvider
{
    /// <summary>How long before the first or next poll of an operation when ARM gives no <c>Retry-After</c>.</summary>
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(5);

    private readonly ContainerAppsHostSettings _settings;
    private readonly ContainerAppsArm _arm;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, HostCommand> _commands = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HostCommandKind> _lastCommands = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string? RunningStatus, DateTimeOffset ReadAt)> _read = new(StringComparer.Ordinal);
    private readonly HashSet<(string App, string? RunningStatus)> _unknownLogged = [];

    public ContainerAppsHostProvider(ContainerAppsHostSettings settings, TokenCredential credential, ILogger<ContainerAppsHostProvider> logger,
        TimeProvider timeProvider, ContainerAppsClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(credential);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _settings = settings;
        _logger = logger;
        _time = timeProvider;
        _arm = new ContainerAppsArm(settings, credential, options ?? new ContainerAppsClientOptions(), timeProvider);
    }

    /// <summary>The provider as deployed: ARM reached with the managed identity named by <c>AZURE_CLIENT_ID</c>.</summary>
    public static ContainerAppsHostProvider Create(ContainerAppsHostSettings settings, ILogger<ContainerAppsHostProvider> logger, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var options = new DefaultAzureCredentialOptions();
        // Left unset, DefaultAzureCredential reads AZURE_CLIENT_ID from the process environment itself.
        if (settings.ManagedIdentityClientId is { } clientId)
            options.ManagedIdentityClientId = clientId;
        return new ContainerAppsHostProvider(settings, new DefaultAzureCredential(options), logger, timeProvider);
    }

    public string Name => "containerapps";

    public IReadOnlyList<HostType> HostTypes => _settings.HostTypes;

    /// <exception cref="RequestFailedException">ARM did not answer with an app of the pool; the message names it and ARM's error.</exception>
    public async Task<IReadOnlyList<ProvidedHost>> ListAsync(CancellationToken cancellationToken)
    {
        // Operations first: one that just finished then shows with the runningStatus read after it.
        await PollOperationsAsync(cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        List<ContainerAppsSiloApp> stale;
        lock (_lock)
            stale = [.. _settings.Apps.Where(app => !_read.TryGetValue(app.Name, out var read) || now - read.ReadAt >= _settings.StatusRefresh)];
        var statuses = await Task.WhenAll(stale.Select(app => _arm.GetRunningStatusAsync(app.Name, cancellationToken))).ConfigureAwait(false);
        now = _time.GetUtcNow();
        lock (_lock)
        {
            for (var i = 0; i < stale.Count; i++)
                _read[stale[i].Name] = (statuses[i], now);
            return [.. _settings.Apps.Select(app => new ProvidedHost(app.Name, app.Type, StatusOf(app.Name, _read[app.Name].RunningStatus, now), app.SiloEndpoint))];
        }
    }

    /// <exception cref="RequestFailedException">ARM refused the start (quota, permission, conflict); the message has ARM's code and message.</exception>
    public Task StartAsync(string hostId, CancellationToken cancellationToken) => CommandAsync(hostId, HostCommandKind.Start, cancellationToken);

    /// <exception cref="RequestFailedException">ARM refused the stop; the message has ARM's code and message.</exception>
    public Task StopAsync(string hostId, CancellationToken cancellationToken) => CommandAsync(hostId, HostCommandKind.Stop, cancellationToken);

    private async Task CommandAsync(string hostId, HostCommandKind kind, CancellationToken cancellationToken)
    {
        var app = _settings.Apps.FirstOrDefault(a => a.Name == hostId)
            ?? throw new ArgumentException($"'{hostId}' is not a container app of the pool (OLLM_ACA_SILO_APPS: {string.Join(", ", _settings.Apps.Select(a => a.Name))})", nameof(hostId));
        var action = kind == HostCommandKind.Start ? "start" : "stop";
        ArmAccepted accepted;
        try
        {
            accepted = await _arm.PostAsync(app.Name, action, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException)
        {
            // ARM answered: what was asked before is superseded; the caller has the refusal.
            lock (_lock)
                _commands.Remove(app.Name);
            throw;
        }

        var now = _time.GetUtcNow();
        var monitor = accepted.Monitor;
        if (monitor is not null && !_arm.IsArm(monitor))
        {
            LogForeignMonitor(_logger, action, app.Name, monitor.Host);
            monitor = null;
        }
        var command = new HostCommand(kind, now, accepted.Done ? null : monitor, now + (accepted.RetryAfter ?? DefaultPollInterval), null);
        lock (_lock)
        {
            _commands[app.Name] = command;
            _lastCommands[app.Name] = kind;
            // Done at once (200): runningStatus has moved already, so it is read at the next listing.
            if (accepted.Done)
                _read.Remove(app.Name);
        }
        LogAccepted(_logger, action, app.Name, accepted.Status);
    }

    private async Task PollOperationsAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        List<(string App, HostCommand Command)> due;
        lock (_lock)
        {
            // One past the timeout is not polled again: it is reported Failed (StatusOf).
            due = [.. _commands
                .Where(c => c.Value is { Monitor: not null, Failure: null } command && command.NextPoll <= now && now - command.AcceptedAt < _settings.OperationTimeout)
                .Select(c => (c.Key, c.Value))];
        }
        foreach (var (app, command) in due)
        {
            ArmPoll poll;
            try
            {
                poll = await _arm.PollAsync(command.Monitor!, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException e)
            {
                poll = new ArmPoll.Transient(e.Message);
            }
            now = _time.GetUtcNow();
            HostCommand next;
            switch (poll)
            {
                case ArmPoll.InProgress progress:
                    next = command with { NextPoll = now + (progress.RetryAfter ?? DefaultPollInterval) };
                    break;
                case ArmPoll.Succeeded:
                    next = command with { Monitor = null };
                    break;
                case ArmPoll.Failed failed:
                    next = command with { Monitor = null, Failure = failed.Error.ToString() };
                    LogOperationFailed(_logger, command.Action, app, next.Failure);
                    break;
                case ArmPoll.Unwatchable unwatchable:
                    next = command with { Monitor = null };
                    LogUnwatchable(_logger, command.Action, app, unwatchable.Reason);
                    break;
                case ArmPoll.Transient transient:
                    next = command with { NextPoll = now + DefaultPollInterval };
                    LogPollFailed(_logger, command.Action, app, transient.Reason);
                    break;
                default:
                    throw new UnreachableException($"unknown poll result {poll}");
            }
            lock (_lock)
            {
                // A start or stop asked meanwhile supersedes this one.
                if (_commands.TryGetValue(app, out var current) && ReferenceEquals(current, command))
                    _commands[app] = next;
                // Finished, one way or another: what ARM says of the app now is worth a read at once.
                if (next.Monitor is null)
                    _read.Remove(app);
            }
        }
    }

    /// <summary>The app's status: its runningStatus through the last command asked of it. Called under <c>_lock</c>.</summary>
    private ProvidedHostStatus StatusOf(string app, string? runningStatus, DateTimeOffset now)
    {
        HostCommandKind? last = _lastCommands.TryGetValue(app, out var kind) ? kind : null;
        var status = RunningStatus.Map(runningStatus, last, out var known);
        if (!known && _unknownLogged.Add((app, runningStatus)))
            LogUnknownStatus(_logger, app, runningStatus ?? "(none)");
        if (!_commands.TryGetValue(app, out var command))
            return status;
        if (status == command.Target)
        {
            _commands.Remove(app);
            return status;
        }
        if (command.Failure is not null)
            return ProvidedHostStatus.Failed;
        if (now - command.AcceptedAt >= _settings.OperationTimeout)
        {
            var failure = $"not finished {_settings.OperationTimeout.TotalMinutes:0.#} min after ARM accepted it (runningStatus {runningStatus ?? "(none)"})";
            _commands[app] = command with { Monitor = null, Failure = failure };
            LogOperationFailed(_logger, command.Action, app, failure);
            return ProvidedHostStatus.Failed;
        }
        return status == ProvidedHostStatus.Failed ? status : command.InBetween;
    }
}
