using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using OrleansLlm.Gguf.Models;

namespace OrleansLlm.Server.Tests;

/// <summary>
/// Three processes clustered over loopback: two <c>silo</c> processes with different GPUs
/// (simulated runner) and one <c>frontend</c> process that only serves HTTP.
/// </summary>
public sealed class MultiProcessTests : IAsyncLifetime
{
    private readonly string _models = Path.Combine(Path.GetTempPath(), "ollm-multiprocess-" + Guid.NewGuid().ToString("N"));
    private readonly List<Process> _processes = [];
    private readonly StringBuilder _logs = new();
    private int _smallSiloPort;
    private int _bigSiloPort;
    private readonly HashSet<int> _ports = [];
    private HttpClient _frontend = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_models);
        var spec = ShapedModelSpec.Llama3_8B_F16 with { VocabSize = 2000, MergeCount = 0 };
        ShapedModel.Write(Path.Combine(_models, "large.gguf"), spec);                                                    // about 14 GiB
        ShapedModel.Write(Path.Combine(_models, "medium.gguf"), ShapedModelSpec.Llama3_8B_Q4_K_M with { VocabSize = 2000, MergeCount = 0 }); // about 5 GiB

        (_smallSiloPort, var smallGateway) = (FreePort(), FreePort());
        (_bigSiloPort, var bigGateway) = (FreePort(), FreePort());
        var frontendHttp = FreePort();
        Start("small-silo", new() { ["OLLM_ROLE"] = "silo", ["OLLM_GPUS"] = "cuda:8GiB", ["Ollm__SiloPort"] = $"{_smallSiloPort}", ["Ollm__GatewayPort"] = $"{smallGateway}", ["OLLAMA_HOST"] = $"127.0.0.1:{FreePort()}" });
        Start("big-silo", new() { ["OLLM_ROLE"] = "silo", ["OLLM_GPUS"] = "cuda:20GiB", ["Ollm__SiloPort"] = $"{_bigSiloPort}", ["Ollm__GatewayPort"] = $"{bigGateway}", ["OLLM_PRIMARY_SILO"] = $"127.0.0.1:{_smallSiloPort}", ["OLLAMA_HOST"] = $"127.0.0.1:{FreePort()}" });
        Start("frontend", new() { ["OLLM_ROLE"] = "frontend", ["OLLM_GATEWAYS"] = $"{smallGateway},{bigGateway}", ["OLLAMA_HOST"] = $"127.0.0.1:{frontendHttp}" });
        _frontend = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{frontendHttp}"), Timeout = TimeSpan.FromSeconds(30) };

        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            try
            {
                var ready = JsonDocument.Parse(await _frontend.GetStringAsync("/readyz")).RootElement;
                if (ready.GetProperty("silos").GetInt32() == 2)
                    break;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or KeyNotFoundException or JsonException)
            {
            }
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"the three processes did not form a cluster:\n{_logs}");
            await Task.Delay(250);
        }
    }

    public Task DisposeAsync()
    {
        foreach (var process in _processes)
        {
            try
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
            catch (InvalidOperationException)
            {
            }
            process.Dispose();
        }
        _frontend.Dispose();
        Directory.Delete(_models, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Api_ps_on_the_frontend_shows_each_model_on_the_silo_where_it_fits()
    {
        // 14 GiB fits only the 20 GiB silo; then 5 GiB goes where most memory is free: the 8 GiB silo.
        await Generate("large");
        await Generate("medium");

        var models = JsonDocument.Parse(await _frontend.GetStringAsync("/api/ps")).RootElement.GetProperty("models").EnumerateArray().ToArray();
        string SiloOf(string name) => models.Single(m => m.GetProperty("name").GetString() == name + ":latest").GetProperty("silo").GetString()!;

        Assert.StartsWith($"127.0.0.1:{_bigSiloPort}@", SiloOf("large"), StringComparison.Ordinal);
        Assert.StartsWith($"127.0.0.1:{_smallSiloPort}@", SiloOf("medium"), StringComparison.Ordinal);
        Assert.All(models, m => Assert.Single(m.GetProperty("gpus").EnumerateArray()));
    }

    private async Task Generate(string model)
    {
        using var response = await _frontend.PostAsync("/api/generate", new StringContent(JsonSerializer.Serialize(new { model, prompt = "hi", stream = false, options = new { num_predict = 2 } }), Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{model}: {body}\n{_logs}");
    }

    private void Start(string name, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "ollm-server"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _models,
        };
        start.Environment["OLLM_MODELS"] = _models;
        start.Environment["OLLM_RUNNER"] = "simulated";
        start.Environment["Ollm__Simulated__LoadBytesPerSecond"] = "100000000000";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in environment)
            start.Environment[key] = value;
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => Log(name, e.Data);
        process.ErrorDataReceived += (_, e) => Log(name, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add(process);
    }

    private void Log(string name, string? line)
    {
        if (line is null)
            return;
        lock (_logs)
            _logs.Append(name).Append(": ").AppendLine(line);
    }

    /// <summary>
    /// A free port below Linux's ephemeral range (32768 and up): the child binds it only later, and a
    /// port the kernel hands out for port 0 may meanwhile become the source port of some other
    /// process's outgoing connection (the cluster tests running beside this one make many).
    /// </summary>
    private int FreePort()
    {
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var port = Random.Shared.Next(20000, 32000);
            if (!_ports.Add(port))
                continue; // already given to one of this test's processes
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // Taken: try another.
            }
        }
        throw new InvalidOperationException("no free port between 20000 and 32000");
    }
}
