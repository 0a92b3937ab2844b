namespace OrleansLlm.Server.Tests;

/// <summary>
/// README's Roles run as separate processes — <c>silo</c>s and a <c>frontend</c> — over one models
/// folder, with the simulated runner loading at 100 GB/s; their output is kept for failure messages.
/// </summary>
internal sealed class RoleProcesses : IAsyncDisposable
{
    private readonly List<ServerProcess> _processes = [];

    public RoleProcesses() => Directory.CreateDirectory(Models);

    public string Models { get; } = Path.Combine(Path.GetTempPath(), "ollm-roles-" + Guid.NewGuid().ToString("N"));

    public string Logs => string.Concat(_processes.Select(p => $"--- {p.Name}\n{p.Output}"));

    public ServerProcess Start(string name, Dictionary<string, string> environment)
    {
        environment["OLLM_MODELS"] = Models;
        environment["OLLM_RUNNER"] = "simulated";
        environment["Ollm__Simulated__LoadBytesPerSecond"] = "100000000000";
        var process = ServerProcess.Start(name, environment, Models);
        _processes.Add(process);
        return process;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
            await process.DisposeAsync();
        Directory.Delete(Models, recursive: true);
    }
}
