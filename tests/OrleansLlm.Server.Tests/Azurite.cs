using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace OrleansLlm.Server.Tests;

/// <summary>
/// Azurite's table service (installed by <c>.ci/run</c> from npm) on a free loopback port, with
/// its data in a temporary folder, no telemetry, stopped and removed after. Storage that lives
/// outside every silo process, as Azure Storage does in a deployment.
/// </summary>
internal sealed class Azurite : IAsyncDisposable
{
    // Azurite's well-known development account.
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Process _process;
    private readonly string _folder;
    private readonly StringBuilder _output = new();

    private Azurite(Process process, string folder, int port)
    {
        _process = process;
        _folder = folder;
        Port = port;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Port { get; }

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};TableEndpoint=http://127.0.0.1:{Port}/devstoreaccount1;";

    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    public static async Task<Azurite> StartAsync()
    {
        var folder = Path.Combine(Path.GetTempPath(), "ollm-azurite-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var port = TestPorts.Free();
        var start = new ProcessStartInfo(Executable(),
            ["--tableHost", "127.0.0.1", "--tablePort", $"{port}", "--location", folder, "--disableTelemetry", "--skipApiVersionCheck", "--loose", "--silent"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var azurite = new Azurite(Process.Start(start)!, folder, port);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (azurite._process.HasExited)
                throw new InvalidOperationException($"azurite-table exited with {azurite._process.ExitCode}:\n{azurite.Output}");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return azurite;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary><c>azurite-table</c> from <c>AZURITE_TABLE</c>, the repository's <c>.ci/tools</c> (where <c>.ci/run</c> installs it), or PATH.</summary>
    private static string Executable()
    {
        if (Environment.GetEnvironmentVariable("AZURITE_TABLE") is { Length: > 0 } configured)
            return configured;
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var installed = Path.Combine(directory.FullName, ".ci", "tools", "node_modules", ".bin", "azurite-table");
            if (File.Exists(installed))
                return installed;
        }
        foreach (var path in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(path, "azurite-table");
            if (File.Exists(candidate))
                return candidate;
        }
        throw new FileNotFoundException("azurite-table was not found: run .ci/run (it installs Azurite from npm into .ci/tools), or set AZURITE_TABLE");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_output)
            _output.AppendLine(line);
    }
}
