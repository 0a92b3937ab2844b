using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using OrleansLlm.Scheduling.Autoscaling;

namespace OrleansLlm.Grains.Autoscaling;

/// <summary>
/// GPU hosts as local processes of this same server in the <c>silo</c> role: autoscaling on one
/// machine with no cloud (README "Autoscaling"). The pool is <c>OLLM_HOST_POOL</c>; each slot has
/// its own silo, gateway and health ports and gets its type's GPUs as <c>OLLM_GPUS</c>; a start
/// may be delayed by <c>OLLM_HOST_START_DELAY</c> to stand in for a cloud host's cold start. Stop
/// sends SIGTERM, so the silo drains as a Container App replica does.
/// </summary>
public sealed partial class ProcessHostProvider : IGpuHostProvider, IAsyncDisposable
{
    /// <summary>Settings of the control process that a started silo must not inherit (each is set per slot, or not at all).</summary>
    private static readonly HashSet<string> ControlOnly = new(StringComparer.OrdinalIgnoreCase)
    {
        "Ollm__SiloPort", "Ollm__GatewayPort", "Ollm__Gpus", "Ollm__HostsModels", "OLLM_GATEWAYS", "OLLM_API_KEY",
    };

    private readonly Dictionary<string, Slot> _slots;
    private readonly IReadOnlyDictionary<string, string> _gpusByType;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly TimeSpan _startDelay;
    private readonly string _logDirectory;
    private readonly ILogger<ProcessHostProvider> _logger;
    private readonly Lock _lock = new();

    public ProcessHostProvider(IConfiguration configuration, IReadOnlyDictionary<string, string> environment, ILogger<ProcessHostProvider> logger)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var types = HostTypeList.Parse(configuration["OLLM_HOST_TYPES"]);
        if (types.Count == 0)
            throw new FormatException("OLLM_HOST_TYPES names no host type (e.g. t4=cuda:15GiB@0.53)");
        HostTypes = [.. types.Select(t => t.Type)];
        _gpusByType = types.ToDictionary(t => t.Type.Name, t => t.Gpus, StringComparer.Ordinal);
        _slots = ParsePool(configuration["OLLM_HOST_POOL"], _gpusByType);
        _environment = environment;
        _startDelay = configuration["OLLM_HOST_START_DELAY"] is { Length: > 0 } delay
            ? Scheduling.KeepAlive.KeepAliveParser.FromEnvironment(delay).Duration
            : TimeSpan.Zero;
        _logDirectory = configuration["OLLM_HOST_LOGS"] is { Length: > 0 } logs ? logs : Path.Combine(Path.GetTempPath(), "ollm-hosts");
        _logger = logger;
    }

    public string Name => "process";

    public IReadOnlyList<HostType> HostTypes { get; }

    public Task<IReadOnlyList<ProvidedHost>> ListAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
            return Task.FromResult<IReadOnlyList<ProvidedHost>>([.. _slots.Values.OrderBy(s => s.Id, StringComparer.Ordinal)
                .Select(s => new ProvidedHost(s.Id, s.Type, s.Status, $"127.0.0.1:{s.SiloPort.ToString(CultureInfo.InvariantCulture)}"))]);
    }

    public Task StartAsync(string hostId, CancellationToken cancellationToken)
    {
        Slot slot;
        lock (_lock)
        {
            slot = Find(hostId);
            if (slot.Status is ProvidedHostStatus.Starting or ProvidedHostStatus.Running)
                return Task.CompletedTask;
            if (slot.Status == ProvidedHostStatus.Stopping)
                throw new InvalidOperationException($"host {hostId} is still stopping");
            slot.Status = ProvidedHostStatus.Starting;
            slot.Generation++;
        }
        var generation = slot.Generation;
        // Accepted now; the process comes after the configured delay, as a cloud host would.
        _ = Task.Run(async () =>
        {
            await Task.Delay(_startDelay, CancellationToken.None).ConfigureAwait(false);
            lock (_lock)
            {
                if (slot.Generation != generation || slot.Status != ProvidedHostStatus.Starting)
                    return; // stopped while it was starting
                try
                {
                    slot.Process = Spawn(slot);
                    slot.Status = ProvidedHostStatus.Running;
                }
                catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException or InvalidOperationException)
                {
                    LogSpawnFailed(_logger, slot.Id, e.Message);
                    slot.Status = ProvidedHostStatus.Failed;
                }
            }
        }, CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task StopAsync(string hostId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var slot = Find(hostId);
            slot.Generation++;
            if (slot.Process is not { HasExited: false } process)
            {
                slot.Status = ProvidedHostStatus.Stopped;
                slot.Process = null;
                return Task.CompletedTask;
            }
            slot.Status = ProvidedHostStatus.Stopping;
            slot.StopRequested = true;
            Terminate(process);
        }
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        Process[] running;
        lock (_lock)
            running = [.. _slots.Values.Select(s => s.Process).OfType<Process>().Where(p => !p.HasExited)];
        foreach (var process in running)
            Terminate(process);
        foreach (var process in running)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private Process Spawn(Slot slot)
    {
        Directory.CreateDirectory(_logDirectory);
        var (file, args) = ServerCommand();
        var start = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        foreach (var (key, value) in _environment)
        {
            // What makes this process a control silo or front-end is not the started host's.
            if (!ControlOnly.Contains(key))
                start.Environment[key] = value;
        }
        start.Environment["OLLM_ROLE"] = "silo";
        start.Environment["OLLM_AUTOSCALER"] = "off";
        start.Environment["OLLM_SILO_PORT"] = slot.SiloPort.ToString(CultureInfo.InvariantCulture);
        start.Environment["OLLM_GATEWAY_PORT"] = slot.GatewayPort.ToString(CultureInfo.InvariantCulture);
        start.Environment["OLLAMA_HOST"] = $"127.0.0.1:{slot.HttpPort.ToString(CultureInfo.InvariantCulture)}";
        start.Environment["OLLM_GPUS"] = _gpusByType[slot.Type];
        var process = Process.Start(start) ?? throw new InvalidOperationException($"host {slot.Id}: the silo process did not start");
        var log = new StreamWriter(Path.Combine(_logDirectory, $"{slot.Id}.log"), append: true) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) =>
        {
            lock (_lock)
            {
                if (slot.Process != process)
                    return;
                // Asked to stop: stopped. Exited on its own: failed, until it is started again.
                slot.Status = slot.StopRequested ? ProvidedHostStatus.Stopped : ProvidedHostStatus.Failed;
                slot.StopRequested = false;
                slot.Process = null;
            }
            LogExited(_logger, slot.Id, process.ExitCode);
            lock (log)
                log.Dispose();
        };
        LogStarted(_logger, slot.Id, slot.Type, process.Id, slot.SiloPort);
        return process;
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
            return;
        lock (log)
        {
            try
            {
                log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // the process exited; its last lines raced the close
            }
        }
    }

    /// <summary>This server, as it was started: its apphost, or <c>dotnet</c> with its entry assembly.</summary>
    private static (string File, string[] Args) ServerCommand()
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("the server's own executable is unknown");
        var entry = Assembly.GetEntryAssembly()?.Location;
        return Path.GetFileNameWithoutExtension(host) == "dotnet" && entry is { Length: > 0 }
            ? (host, [entry])
            : (host, []);
    }

    /// <summary>SIGTERM (a graceful drain), as Container Apps stops a replica; .NET's Kill is SIGKILL.</summary>
    private static void Terminate(Process process)
    {
        if (OperatingSystem.IsWindows())
            process.Kill(entireProcessTree: true);
        else if (SysKill(process.Id, 15) != 0 && !process.HasExited)
            process.Kill(entireProcessTree: true);
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SysKill(int pid, int signal);

    private Slot Find(string hostId) =>
        _slots.TryGetValue(hostId, out var slot) ? slot : throw new ArgumentException($"no host '{hostId}' in OLLM_HOST_POOL", nameof(hostId));

    /// <summary><c>OLLM_HOST_POOL</c>: <c>id=type@siloPort/gatewayPort/httpPort</c> entries separated by <c>,</c>.</summary>
    internal static Dictionary<string, Slot> ParsePool(string? text, IReadOnlyDictionary<string, string> types)
    {
        var slots = new Dictionary<string, Slot>(StringComparer.Ordinal);
        foreach (var entry in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = entry.IndexOf('=', StringComparison.Ordinal);
            var at = entry.IndexOf('@', StringComparison.Ordinal);
            var ports = at > 0 ? entry[(at + 1)..].Split('/') : [];
            if (equals <= 0 || at < equals || ports.Length != 3
                || !ports.All(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536))
                throw new FormatException($"OLLM_HOST_POOL entry '{entry}' is not id=type@siloPort/gatewayPort/httpPort (e.g. gpu-1=t4@11112/30001/11501)");
            var id = entry[..equals].Trim();
            var type = entry[(equals + 1)..at].Trim();
            if (!types.ContainsKey(type))
                throw new FormatException($"OLLM_HOST_POOL entry '{entry}': host type '{type}' is not in OLLM_HOST_TYPES");
            if (!slots.TryAdd(id, new Slot(id, type, int.Parse(ports[0], CultureInfo.InvariantCulture), int.Parse(ports[1], CultureInfo.InvariantCulture), int.Parse(ports[2], CultureInfo.InvariantCulture))))
                throw new FormatException($"OLLM_HOST_POOL names host '{id}' twice");
        }
        if (slots.Count == 0)
            throw new FormatException("OLLM_HOST_POOL names no host (e.g. gpu-1=t4@11112/30001/11501)");
        return slots;
    }

    internal sealed class Slot(string id, string type, int siloPort, int gatewayPort, int httpPort)
    {
        public string Id { get; } = id;

        public string Type { get; } = type;

        public int SiloPort { get; } = siloPort;

        public int GatewayPort { get; } = gatewayPort;

        public int HttpPort { get; } = httpPort;

        public ProvidedHostStatus Status { get; set; } = ProvidedHostStatus.Stopped;

        public Process? Process { get; set; }

        public bool StopRequested { get; set; }

        /// <summary>Bumped by each start and stop, so a delayed start that was stopped meanwhile does not run.</summary>
        public int Generation { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Host {Host} ({Type}) started: process {Pid}, silo port {Port}")]
    private static partial void LogStarted(ILogger logger, string host, string type, int pid, int port);

    [LoggerMessage(Level = LogLevel.Information, Message = "Host {Host} exited with code {Code}")]
    private static partial void LogExited(ILogger logger, string host, int code);

    [LoggerMessage(Level = LogLevel.Error, Message = "Host {Host} could not be started: {Reason}")]
    private static partial void LogSpawnFailed(ILogger logger, string host, string reason);
}
