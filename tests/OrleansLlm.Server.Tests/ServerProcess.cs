using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace OrleansLlm.Server.Tests;

/// <summary>
/// The real <c>ollm-server</c> executable in a process of its own, configured only through its
/// environment, as users run it. Its output is kept for failure messages.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServerProcess(string name, Process process, int httpPort)
    {
        Name = name;
        _process = process;
        HttpPort = httpPort;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(60) };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Name { get; }

    public int HttpPort { get; }

    public HttpClient Http { get; }

    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    /// <summary>
    /// Starts the server with <paramref name="environment"/> on top of the test defaults (embedded
    /// role, free silo ports, HTTP on <c>OLLAMA_HOST</c> unless given). Does not wait for it.
    /// </summary>
    /// <param name="viaDotnetRun">Start it as README says, <c>dotnet run --project src/OrleansLlm.Server</c> (already built), with these arguments.</param>
    public static ServerProcess Start(string name, IReadOnlyDictionary<string, string> environment, string? workingDirectory = null, string[]? viaDotnetRun = null)
    {
        var start = viaDotnetRun is null
            ? new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "ollm-server"))
            : new ProcessStartInfo("dotnet", ["run", "--project", ServerProject, "--no-build", "--", .. viaDotnetRun]);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.WorkingDirectory = workingDirectory ?? Path.GetTempPath();
        var httpPort = TestPorts.Free();
        start.Environment["OLLAMA_HOST"] = $"127.0.0.1:{httpPort}";
        start.Environment["Ollm__SiloPort"] = $"{TestPorts.Free()}";
        start.Environment["Ollm__GatewayPort"] = $"{TestPorts.Free()}";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in environment)
            start.Environment[key] = value;
        if (environment.TryGetValue("OLLAMA_HOST", out var host) && host.LastIndexOf(':') is var colon and >= 0)
            httpPort = int.Parse(host[(colon + 1)..].TrimEnd('/'), System.Globalization.CultureInfo.InvariantCulture);
        return new ServerProcess(name, Process.Start(start)!, httpPort);
    }

    /// <summary>The server's project file, found from the test's output folder up to the repository root.</summary>
    private static string ServerProject
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                var project = Path.Combine(directory.FullName, "src", "OrleansLlm.Server", "OrleansLlm.Server.csproj");
                if (File.Exists(project))
                    return project;
            }
            throw new FileNotFoundException("src/OrleansLlm.Server/OrleansLlm.Server.csproj above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>Waits until <c>/readyz</c> answers 200 (or the process exits, or a minute passes).</summary>
    public async Task<ServerProcess> Ready(Func<HttpResponseMessage, Task<bool>>? readyWhen = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"{Name} exited with {_process.ExitCode}:\n{Output}");
            try
            {
                using var response = await Http.GetAsync("/readyz");
                if (response.StatusCode == HttpStatusCode.OK && (readyWhen is null || await readyWhen(response)))
                    return this;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{Name} was not ready within 90 s:\n{Output}");
            await Task.Delay(100);
        }
    }

    /// <summary>Waits for the process to exit by itself; its exit code.</summary>
    public async Task<int> Exited(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        _process.WaitForExit(); // flushes the redirected output
        return _process.ExitCode;
    }

    /// <summary>SIGTERM, as Container Apps stops a replica: the process drains and exits by itself.</summary>
    public void Terminate()
    {
        if (!_process.HasExited && SendSignal(_process.Id, SigTerm) != 0)
            throw new InvalidOperationException($"kill -TERM {_process.Id} failed: errno {Marshal.GetLastPInvokeError()}");
    }

    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    /// <summary>kill -9: the process gets no chance to clean up.</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
        }
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        _process.Dispose();
        Http.Dispose();
        return ValueTask.CompletedTask;
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_output)
            _output.AppendLine(line);
    }
}

/// <summary>
/// Free ports for the processes a test starts. A child process binds its port only later, so the
/// port must stay out of every other allocator's way until then:
/// <list type="bullet">
/// <item>below Linux's ephemeral range (32768 and up), whose ports may become the source port of
/// any outgoing connection (the cluster tests running beside these make many);</item>
/// <item>outside Orleans' TestCluster ranges (22300–30000 and 40000–50000), which the in-process
/// cluster tests take from in another test process at the same time;</item>
/// <item>unique across test processes: each port handed out is held by an exclusive lock on a file
/// named for it until this process exits, so another test run on the machine skips it.</item>
/// </list>
/// </summary>
internal static class TestPorts
{
    private const int First = 12000, Last = 22000;
    private static readonly string LockFolder = Path.Combine(Path.GetTempPath(), "orleansllm-test-ports");
    private static readonly List<FileStream> Held = [];

    public static int Free()
    {
        Directory.CreateDirectory(LockFolder);
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var port = Random.Shared.Next(First, Last);
            lock (Held)
            {
                FileStream claim;
                try
                {
                    // .NET takes FileShare.None as an exclusive flock on Unix; the kernel drops it when the process ends.
                    claim = new FileStream(Path.Combine(LockFolder, $"{port}"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                }
                catch (IOException)
                {
                    continue; // handed out by this or another test process
                }
                if (!Unbound(port))
                {
                    claim.Dispose();
                    continue;
                }
                Held.Add(claim);
                return port;
            }
        }
        throw new InvalidOperationException($"no free port between {First} and {Last}");
    }

    private static bool Unbound(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
