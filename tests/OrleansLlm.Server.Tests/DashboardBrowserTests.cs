using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using OrleansLlm.Gguf.Models;
using static Microsoft.Playwright.Assertions;

namespace OrleansLlm.Server.Tests;

/// <summary>
/// The dashboard in a real headless Chromium against a real cluster: a front-end with an API key
/// and two silo processes with different GPUs (simulated runner), as in <see cref="MultiProcessTests"/>.
/// </summary>
public sealed class DashboardBrowserTests : IAsyncLifetime
{
    private const string ApiKey = "dashboard-test-key";

    /// <summary>Generous for a loaded 2-core machine; the page polls every 1.5 s.</summary>
    private const float Patience = 30_000;

    private readonly RoleProcesses _roles = new();
    private int _smallSiloPort;
    private int _bigSiloPort;
    private ServerProcess _frontend = null!;
    private ServerProcess _bigSilo = null!;

    public async Task InitializeAsync()
    {
        ShapedModel.Write(Path.Combine(_roles.Models, "large.gguf"), ShapedModelSpec.Llama3_8B_F16 with { VocabSize = 2000, MergeCount = 0 });    // about 14 GiB
        ShapedModel.Write(Path.Combine(_roles.Models, "medium.gguf"), ShapedModelSpec.Llama3_8B_Q4_K_M with { VocabSize = 2000, MergeCount = 0 }); // about 5 GiB

        (_smallSiloPort, var smallGateway) = (TestPorts.Free(), TestPorts.Free());
        (_bigSiloPort, var bigGateway) = (TestPorts.Free(), TestPorts.Free());
        _roles.Start("small-silo", new() { ["OLLM_ROLE"] = "silo", ["OLLM_GPUS"] = "cuda:8GiB", ["Ollm__SiloPort"] = $"{_smallSiloPort}", ["Ollm__GatewayPort"] = $"{smallGateway}" });
        _bigSilo = _roles.Start("big-silo", new() { ["OLLM_ROLE"] = "silo", ["OLLM_GPUS"] = "cuda:20GiB", ["Ollm__SiloPort"] = $"{_bigSiloPort}", ["Ollm__GatewayPort"] = $"{bigGateway}", ["OLLM_PRIMARY_SILO"] = $"127.0.0.1:{_smallSiloPort}" });
        _frontend = _roles.Start("frontend", new() { ["OLLM_ROLE"] = "frontend", ["OLLM_GATEWAYS"] = $"{smallGateway},{bigGateway}", ["OLLM_API_KEY"] = ApiKey });
        try
        {
            await _frontend.Ready(async response =>
                JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.TryGetProperty("silos", out var silos) && silos.GetInt32() == 2);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"the three processes did not form a cluster:\n{_roles.Logs}", e);
        }
        _frontend.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
    }

    public async Task DisposeAsync() => await _roles.DisposeAsync();

    [Fact]
    public async Task The_page_shows_each_model_on_its_silos_gpu_as_it_loads_and_unloads_and_only_with_the_key()
    {
        var (playwright, browser) = await HeadlessChromium.Launch();
        using var _ = playwright;
        await using var __ = browser;
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1200, Height = 900 } });
        SetDefaultExpectTimeout(Patience);
        await page.GotoAsync($"http://127.0.0.1:{_frontend.HttpPort}/dashboard");

        // Without the key the page asks for it and shows nothing; its own fetch of the data is refused.
        await Expect(page.GetByLabel("API key")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-silo]")).ToHaveCountAsync(0);
        Assert.Equal(401, await page.EvaluateAsync<int>("async () => (await fetch('/api/cluster')).status"));
        await page.GetByLabel("API key").FillAsync("not-the-key");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show the cluster" }).ClickAsync();
        await Expect(page.Locator("#key-error")).ToHaveTextAsync("That key was not accepted.");
        await Expect(page.Locator("[data-silo]")).ToHaveCountAsync(0);

        await page.GetByLabel("API key").FillAsync(ApiKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Show the cluster" }).ClickAsync();
        await Expect(Gpu(page, _bigSiloPort)).ToBeVisibleAsync();
        await Expect(Gpu(page, _smallSiloPort)).ToBeVisibleAsync();
        await Expect(Gpu(page, _bigSiloPort).Locator(".part")).ToHaveCountAsync(0);
        // Marks this document: a reload would lose it.
        await page.EvaluateAsync("() => { window.sameDocument = true; }");

        // 14 GiB fits only the 20 GiB silo; then 5 GiB goes where most memory is free: the 8 GiB silo.
        await Generate("large", keepAlive: "10m");
        var large = Gpu(page, _bigSiloPort).Locator("[data-model='large:latest']");
        await Expect(large).ToBeVisibleAsync();
        await Expect(large).ToHaveAttributeAsync("data-state", "idle");
        await Expect(large).ToContainTextAsync("unloads in");
        await Generate("medium", keepAlive: -1);
        var medium = Gpu(page, _smallSiloPort).Locator("[data-model='medium:latest']");
        await Expect(medium).ToBeVisibleAsync();
        await Expect(medium).ToHaveAttributeAsync("data-state", "pinned");
        await Expect(Gpu(page, _smallSiloPort).Locator("[data-model='large:latest']")).ToHaveCountAsync(0);
        await Expect(Gpu(page, _bigSiloPort).Locator("[data-model='medium:latest']")).ToHaveCountAsync(0);
        await Expect(page.Locator("#events")).ToContainTextAsync("large:latest");
        await Expect(page.Locator("#scaling")).ToContainTextAsync("The autoscaler is off");
        await Expect(page.Locator("#traffic")).ToContainTextAsync("2 requests in the last minute");
        // Models by their names, never by the server's file paths.
        await Expect(page.Locator("main")).Not.ToContainTextAsync(".gguf");

        Directory.CreateDirectory(Path.GetDirectoryName(ScreenshotPath)!);
        await page.ScreenshotAsync(new() { Path = ScreenshotPath, FullPage = true });

        // keep_alive 0 unloads it; the bar's part goes without a reload.
        await Generate("large", keepAlive: 0, prompt: null);
        await Expect(large).ToHaveCountAsync(0);
        await Expect(medium).ToBeVisibleAsync();
        await Expect(page.Locator("#events")).ToContainTextAsync("unload requested");
        Assert.True(await page.EvaluateAsync<bool>("() => window.sameDocument === true"), "the page was reloaded");

        // A silo that stops answering is shown as unreachable until membership declares it dead, then
        // no more: on a loaded machine the page's poll may see only the second. Either way it is never
        // shown as answering, and the page goes on showing the rest.
        _bigSilo.Kill();
        var killed = page.Locator($"[data-silo^='127.0.0.1:{_bigSiloPort}@']");
        await Expect(page.Locator($"[data-silo^='127.0.0.1:{_bigSiloPort}@']:not([data-unreachable='true'])")).ToHaveCountAsync(0);
        if (await killed.CountAsync() > 0)
            await Expect(killed).ToContainTextAsync("did not answer");
        await Expect(Gpu(page, _smallSiloPort)).ToBeVisibleAsync();
        Assert.True(await page.EvaluateAsync<bool>("() => window.sameDocument === true"), "the page was reloaded");
    }

    private static ILocator Gpu(IPage page, int siloPort) =>
        page.Locator($"[data-silo^='127.0.0.1:{siloPort}@'] [data-device='0']");

    /// <summary>
    /// Where the screenshot goes: the test's output folder, or — with <c>OLLM_UPDATE_SCREENSHOT=1</c>
    /// — README's <c>docs/dashboard.png</c> in the repository this test was built from (a test run
    /// must not leave the working tree changed).
    /// </summary>
    private static string ScreenshotPath
    {
        get
        {
            if (Environment.GetEnvironmentVariable("OLLM_UPDATE_SCREENSHOT") != "1")
                return Path.Combine(AppContext.BaseDirectory, "dashboard.png");
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "OrleansLlm.sln")))
                    return Path.Combine(directory.FullName, "docs", "dashboard.png");
            }
            throw new FileNotFoundException("OrleansLlm.sln above " + AppContext.BaseDirectory);
        }
    }

    private async Task Generate(string model, object keepAlive, string? prompt = "hi")
    {
        object body = prompt is null
            ? new { model, keep_alive = keepAlive }
            : new { model, prompt, stream = false, keep_alive = keepAlive, options = new { num_predict = 4 } };
        using var response = await _frontend.Http.PostAsync("/api/generate", new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{model}: {text}\n{_roles.Logs}");
    }
}
