namespace OrleansLlm.Server.Tests;

/// <summary>Starting the service as README says, from a folder of the user's: where the models go, and what is printed.</summary>
public sealed class StartupTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "ollm-startup-" + Guid.NewGuid().ToString("N"));

    public StartupTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Dotnet_run_puts_a_relative_models_root_under_the_folder_it_was_run_from_and_prints_a_short_banner()
    {
        await using var server = await ServerProcess.Start("dotnet run", new Dictionary<string, string>
        {
            ["OLLM_MODELS"] = "my-models", ["OLLM_RUNNER"] = "simulated", ["Logging__LogLevel__Default"] = "Information",
        }, _folder, viaDotnetRun: []).Ready();
        await WaitFor(() => server.Output.Contains("membership", StringComparison.Ordinal), server);

        Assert.True(File.Exists(Path.Combine(_folder, "my-models", "demo", "latest.gguf")), $"the demo model is not under {_folder}/my-models:\n{server.Output}");
        var output = server.Output;
        Assert.Contains("role all", output, StringComparison.Ordinal);
        Assert.Contains($"models     {Path.Combine(_folder, "my-models")}", output, StringComparison.Ordinal);
        Assert.Contains($"HTTP       http://127.0.0.1:{server.HttpPort}", output, StringComparison.Ordinal);
        // No framework chatter below Warning (the option dumps); a warning, such as Orleans' watchdog on a loaded machine, may still appear.
        foreach (var category in new[] { "info: Orleans", "info: Microsoft", "info: Polly", "info: System" })
            Assert.DoesNotContain(category, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verbose_brings_the_frameworks_detail_back()
    {
        await using var server = await ServerProcess.Start("dotnet run --verbose", new Dictionary<string, string>
        {
            ["OLLM_MODELS"] = "my-models", ["OLLM_RUNNER"] = "simulated", ["Logging__LogLevel__Default"] = "Information",
        }, _folder, viaDotnetRun: ["--verbose"]).Ready();

        await WaitFor(() => server.Output.Contains("info: Orleans", StringComparison.Ordinal), server);
    }

    private static async Task WaitFor(Func<bool> condition, ServerProcess server)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not seen in the output:\n{server.Output}");
            await Task.Delay(100);
        }
    }
}
