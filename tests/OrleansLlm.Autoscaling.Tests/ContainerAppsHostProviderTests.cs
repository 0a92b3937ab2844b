using Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OrleansLlm.Grains.Autoscaling;
using OrleansLlm.Grains.Autoscaling.ContainerApps;

namespace OrleansLlm.Autoscaling.Tests;

/// <summary>The Container Apps provider against a fake ARM endpoint over real HTTPS; time is a fake clock.</summary>
public sealed class ContainerAppsHostProviderTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly FixedTokenCredential _credential = new();
    private FakeArm _arm = null!;

    public async Task InitializeAsync() =>
        _arm = await FakeArm.StartAsync(("ca-silo-g0-0", "Running"), ("ca-silo-g0-1", "Stopped"), ("ca-silo-g0-2", "Stopped"));

    public async Task DisposeAsync() => await _arm.DisposeAsync();

    [Fact]
    public async Task Starting_a_stopped_app_posts_start_with_the_api_version_and_a_bearer_token_and_lists_it_starting_then_running()
    {
        var provider = Provider();
        Assert.Equal(ProvidedHostStatus.Stopped, await StatusAsync(provider, "ca-silo-g0-1"));

        await provider.StartAsync("ca-silo-g0-1", CancellationToken.None).WaitAsync(Bound);

        var post = Assert.Single(_arm.Calls, c => c.Method == "POST");
        Assert.Equal($"/subscriptions/{FakeArm.Subscription}/resourceGroups/{FakeArm.ResourceGroup}/providers/Microsoft.App/containerApps/ca-silo-g0-1/start", post.Path);
        Assert.Equal("2025-07-01", post.ApiVersion);
        Assert.Equal($"Bearer {FixedTokenCredential.Token}", post.Authorization);
        Assert.All(_credential.Scopes, scope => Assert.Equal($"https://{_arm.Endpoint.Host}/.default", scope));

        // ARM said Retry-After: the listing right after the start shows it starting and polls nothing yet.
        Assert.Equal(ProvidedHostStatus.Starting, await StatusAsync(provider, "ca-silo-g0-1"));
        Assert.Equal(0, Polls());
        var seen = await FollowAsync(provider, "ca-silo-g0-1", ProvidedHostStatus.Running);
        Assert.Equal([ProvidedHostStatus.Starting, ProvidedHostStatus.Running], seen.Distinct());
        Assert.Equal("Running", _arm.RunningStatus("ca-silo-g0-1"));
        Assert.All(_arm.Calls, c => Assert.Equal($"Bearer {FixedTokenCredential.Token}", c.Authorization));
    }

    [Fact]
    public async Task Stopping_a_running_app_lists_it_stopping_then_stopped()
    {
        var provider = Provider();

        await provider.StopAsync("ca-silo-g0-0", CancellationToken.None).WaitAsync(Bound);

        Assert.Single(_arm.Calls, c => c.Method == "POST" && c.Path.EndsWith("/containerApps/ca-silo-g0-0/stop", StringComparison.Ordinal));
        var seen = await FollowAsync(provider, "ca-silo-g0-0", ProvidedHostStatus.Stopped);
        Assert.Equal([ProvidedHostStatus.Stopping, ProvidedHostStatus.Stopped], seen.Distinct());
    }

    [Theory]
    [InlineData(409, "MaxNumberOfGpusExceeded", "The subscription has no T4 GPU quota left in westus3 (1 of 1 in use).")]
    [InlineData(429, "TooManyRequests", "Too many start requests for this subscription; retry later.")]
    [InlineData(403, "AuthorizationFailed", "The client does not have authorization to perform action 'Microsoft.App/containerApps/start/action'.")]
    public async Task A_start_arm_refuses_raises_its_code_and_message_and_the_pool_still_lists(int status, string code, string message)
    {
        var provider = Provider();
        _arm.Refuse("ca-silo-g0-1", status, code, message);

        var refused = await Assert.ThrowsAsync<RequestFailedException>(() => provider.StartAsync("ca-silo-g0-1", CancellationToken.None).WaitAsync(Bound));

        Assert.Equal(status, refused.Status);
        Assert.Equal(code, refused.ErrorCode);
        Assert.Contains(code, refused.Message, StringComparison.Ordinal);
        Assert.Contains(message, refused.Message, StringComparison.Ordinal);
        Assert.Contains("ca-silo-g0-1", refused.Message, StringComparison.Ordinal);
        // Aftermath: the refused app is as it was, and another one still starts.
        Assert.Equal(ProvidedHostStatus.Stopped, await StatusAsync(provider, "ca-silo-g0-1"));
        await provider.StartAsync("ca-silo-g0-2", CancellationToken.None).WaitAsync(Bound);
        Assert.Equal(ProvidedHostStatus.Running, (await FollowAsync(provider, "ca-silo-g0-2", ProvidedHostStatus.Running))[^1]);
    }

    [Fact]
    public async Task An_operation_that_never_finishes_is_reported_failed_after_the_operation_timeout_and_no_longer_polled()
    {
        _arm.NeverFinish = true;
        var timeout = TimeSpan.FromMinutes(10);
        var provider = Provider(timeout);
        await provider.StartAsync("ca-silo-g0-1", CancellationToken.None).WaitAsync(Bound);

        for (var elapsed = TimeSpan.Zero; elapsed < timeout - TimeSpan.FromMinutes(1); elapsed += TimeSpan.FromMinutes(1))
        {
            Assert.Equal(ProvidedHostStatus.Starting, await StatusAsync(provider, "ca-silo-g0-1"));
            _time.Advance(TimeSpan.FromMinutes(1));
        }
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(ProvidedHostStatus.Failed, await StatusAsync(provider, "ca-silo-g0-1"));

        var polls = Polls();
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(ProvidedHostStatus.Failed, await StatusAsync(provider, "ca-silo-g0-1"));
        Assert.Equal(polls, Polls());

        // The next start supersedes the failure.
        _arm.NeverFinish = false;
        await provider.StartAsync("ca-silo-g0-1", CancellationToken.None).WaitAsync(Bound);
        Assert.Equal(ProvidedHostStatus.Starting, await StatusAsync(provider, "ca-silo-g0-1"));
    }

    [Fact]
    public async Task A_start_arm_finishes_at_once_shows_running_at_the_next_listing()
    {
        _arm.FinishAtOnce = true;
        var provider = Provider();
        Assert.Equal(ProvidedHostStatus.Stopped, await StatusAsync(provider, "ca-silo-g0-1"));

        await provider.StartAsync("ca-silo-g0-1", CancellationToken.None).WaitAsync(Bound);

        Assert.Equal(ProvidedHostStatus.Running, await StatusAsync(provider, "ca-silo-g0-1"));
        Assert.Equal(0, Polls());
    }

    [Fact]
    public async Task A_start_arm_never_answers_ends_with_the_callers_cancellation_and_the_pool_still_lists()
    {
        _arm.HangActions = true;
        var provider = Provider();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(1));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => provider.StartAsync("ca-silo-g0-1", cancel.Token).WaitAsync(Bound));

        _arm.HangActions = false;
        Assert.Equal(ProvidedHostStatus.Stopped, await StatusAsync(provider, "ca-silo-g0-1"));
    }

    [Fact]
    public async Task A_start_whose_operation_fails_is_reported_failed_until_the_next_start()
    {
        _arm.UseAsyncOperationHeader = true;
        _arm.FailOperations = ("ContainerAppOperationError", "Failed to provision revision: no GPU capacity in the workload profile.");
        var provider = Provider();
        await provider.StartAsync("ca-silo-g0-1", CancellationToken.None).WaitAsync(Bound);

        var seen = await FollowAsync(provider, "ca-silo-g0-1", ProvidedHostStatus.Failed);
        Assert.Equal([ProvidedHostStatus.Starting, ProvidedHostStatus.Failed], seen.Distinct());
        Assert.Equal("Stopped", _arm.RunningStatus("ca-silo-g0-1"));
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(ProvidedHostStatus.Failed, await StatusAsync(provider, "ca-silo-g0-1"));

        _arm.FailOperations = null;
        await provider.StartAsync("ca-silo-g0-1", CancellationToken.None).WaitAsync(Bound);
        Assert.Equal(ProvidedHostStatus.Running, (await FollowAsync(provider, "ca-silo-g0-1", ProvidedHostStatus.Running))[^1]);
    }

    [Fact]
    public async Task An_operation_the_identity_may_not_poll_is_followed_through_running_status()
    {
        _arm.ForbidPolls = true;
        var provider = Provider();
        await provider.StartAsync("ca-silo-g0-1", CancellationToken.None).WaitAsync(Bound);
        _time.Advance(TimeSpan.FromSeconds(_arm.RetryAfterSeconds));
        Assert.Equal(ProvidedHostStatus.Starting, await StatusAsync(provider, "ca-silo-g0-1"));
        Assert.Equal(1, Polls());

        _arm.FinishOperations();
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(ProvidedHostStatus.Running, await StatusAsync(provider, "ca-silo-g0-1"));
        Assert.Equal(1, Polls());
    }

    [Theory]
    [InlineData("Suspended")]
    [InlineData("Degraded")]
    [InlineData(null)]
    public async Task A_running_status_the_provider_does_not_know_is_reported_failed(string? runningStatus)
    {
        _arm.SetRunningStatus("ca-silo-g0-2", runningStatus);
        var provider = Provider();

        var hosts = await provider.ListAsync(CancellationToken.None).WaitAsync(Bound);

        Assert.Equal(ProvidedHostStatus.Failed, Assert.Single(hosts, h => h.Id == "ca-silo-g0-2").Status);
        Assert.Equal(ProvidedHostStatus.Running, Assert.Single(hosts, h => h.Id == "ca-silo-g0-0").Status);
    }

    [Fact]
    public async Task Listing_gives_every_app_of_the_pool_with_its_type_and_silo_endpoint()
    {
        var provider = Provider();

        var hosts = await provider.ListAsync(CancellationToken.None).WaitAsync(Bound);

        Assert.Equal("containerapps", provider.Name);
        Assert.Equal("t4", Assert.Single(provider.HostTypes).Name);
        Assert.Equal(
            [
                new ProvidedHost("ca-silo-g0-0", "t4", ProvidedHostStatus.Running, "10.42.0.60:11111"),
                new ProvidedHost("ca-silo-g0-1", "t4", ProvidedHostStatus.Stopped, "10.42.0.60:11112"),
                new ProvidedHost("ca-silo-g0-2", "t4", ProvidedHostStatus.Stopped, "10.42.0.60:11113"),
            ],
            hosts);
    }

    [Fact]
    public async Task Listing_every_second_reads_each_app_from_arm_once_per_refresh_interval()
    {
        var provider = Provider();

        for (var i = 0; i < 5; i++)
        {
            await provider.ListAsync(CancellationToken.None).WaitAsync(Bound);
            _time.Advance(TimeSpan.FromSeconds(1));
        }
        Assert.Equal(3, Reads());

        _time.Advance(TimeSpan.FromSeconds(5));
        await provider.ListAsync(CancellationToken.None).WaitAsync(Bound);
        Assert.Equal(6, Reads());
    }

    [Fact]
    public async Task Starting_an_app_outside_the_pool_is_refused_without_calling_arm()
    {
        var provider = Provider();

        var refused = await Assert.ThrowsAsync<ArgumentException>(() => provider.StartAsync("ca-frontend", CancellationToken.None));

        Assert.Contains("ca-frontend", refused.Message, StringComparison.Ordinal);
        Assert.Empty(_arm.Calls);
    }

    private ContainerAppsHostProvider Provider(TimeSpan? operationTimeout = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(_arm.Environment()).Build();
        var settings = ContainerAppsHostSettings.From(configuration);
        if (operationTimeout is { } timeout)
            settings = settings with { OperationTimeout = timeout };
        return new ContainerAppsHostProvider(settings, _credential, NullLogger<ContainerAppsHostProvider>.Instance, _time, _arm.ClientOptions());
    }

    private static async Task<ProvidedHostStatus> StatusAsync(ContainerAppsHostProvider provider, string app) =>
        Assert.Single(await provider.ListAsync(CancellationToken.None).WaitAsync(Bound), h => h.Id == app).Status;

    /// <summary>Lists, then lets ARM's Retry-After pass, until the app shows <paramref name="until"/>; what each listing showed.</summary>
    private async Task<List<ProvidedHostStatus>> FollowAsync(ContainerAppsHostProvider provider, string app, ProvidedHostStatus until)
    {
        var seen = new List<ProvidedHostStatus>();
        for (var i = 0; i < 20; i++)
        {
            seen.Add(await StatusAsync(provider, app));
            if (seen[^1] == until)
                return seen;
            _time.Advance(TimeSpan.FromSeconds(_arm.RetryAfterSeconds));
        }
        throw new Xunit.Sdk.XunitException($"{app} never showed {until}; it showed {string.Join(", ", seen)}");
    }

    private int Reads() => _arm.Calls.Count(c => c.Method == "GET" && !c.Path.Contains("operation", StringComparison.OrdinalIgnoreCase));

    private int Polls() => _arm.Calls.Count(c => c.Path.Contains("operation", StringComparison.OrdinalIgnoreCase));
}
