using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace OrleansLlm.Server.Tests;

/// <summary>
/// The embedded server whose membership table a test can make slow to read, as a table is while a
/// lost silo is being voted dead, or as Azure Table storage is in a latency spike.
/// </summary>
public sealed class SlowMembershipTableServerFixture : ServerFixture
{
    /// <summary>How long each read of the whole table takes from now on.</summary>
    public TimeSpan ReadAllDelay { get; set; }

    protected override void ReplaceServices(IServiceCollection services)
    {
        var table = services.Last(d => d.ServiceType == typeof(IMembershipTable));
        services.Remove(table);
        services.AddSingleton<IMembershipTable>(provider => new SlowReads(this, Resolve(table, provider)));
    }

    private static IMembershipTable Resolve(ServiceDescriptor table, IServiceProvider provider) =>
        table.ImplementationInstance as IMembershipTable
        ?? table.ImplementationFactory?.Invoke(provider) as IMembershipTable
        ?? (IMembershipTable)ActivatorUtilities.CreateInstance(provider, table.ImplementationType!);

    /// <summary>Every call goes to the real table; reads of the whole table wait <see cref="ReadAllDelay"/> first.</summary>
    private sealed class SlowReads(SlowMembershipTableServerFixture fixture, IMembershipTable inner) : IMembershipTable
    {
        public async Task<MembershipTableData> ReadAllAsync(CancellationToken cancellationToken)
        {
            await Task.Delay(fixture.ReadAllDelay, cancellationToken);
            return await inner.ReadAllAsync(cancellationToken);
        }

        public Task InitializeMembershipTableAsync(bool tryInitTableVersion, CancellationToken cancellationToken) => inner.InitializeMembershipTableAsync(tryInitTableVersion, cancellationToken);
        public Task DeleteMembershipTableEntriesAsync(string clusterId, CancellationToken cancellationToken) => inner.DeleteMembershipTableEntriesAsync(clusterId, cancellationToken);
        public Task CleanupDefunctSiloEntriesAsync(DateTimeOffset beforeDate, CancellationToken cancellationToken) => inner.CleanupDefunctSiloEntriesAsync(beforeDate, cancellationToken);
        public Task<MembershipTableData> ReadRowAsync(SiloAddress key, CancellationToken cancellationToken) => inner.ReadRowAsync(key, cancellationToken);
        public Task<bool> InsertRowAsync(MembershipEntry entry, TableVersion tableVersion, CancellationToken cancellationToken) => inner.InsertRowAsync(entry, tableVersion, cancellationToken);
        public Task<bool> UpdateRowAsync(MembershipEntry entry, string etag, TableVersion tableVersion, CancellationToken cancellationToken) => inner.UpdateRowAsync(entry, etag, tableVersion, cancellationToken);
        public Task UpdateIAmAliveAsync(MembershipEntry entry, CancellationToken cancellationToken) => inner.UpdateIAmAliveAsync(entry, cancellationToken);

        // The interface's older members, which Orleans still declares.
#pragma warning disable CS0618, CS0672
        public Task<MembershipTableData> ReadAll() => ReadAllAsync(CancellationToken.None);
        public Task InitializeMembershipTable(bool tryInitTableVersion) => InitializeMembershipTableAsync(tryInitTableVersion, CancellationToken.None);
        public Task DeleteMembershipTableEntries(string clusterId) => DeleteMembershipTableEntriesAsync(clusterId, CancellationToken.None);
        public Task CleanupDefunctSiloEntries(DateTimeOffset beforeDate) => CleanupDefunctSiloEntriesAsync(beforeDate, CancellationToken.None);
        public Task<MembershipTableData> ReadRow(SiloAddress key) => ReadRowAsync(key, CancellationToken.None);
        public Task<bool> InsertRow(MembershipEntry entry, TableVersion tableVersion) => InsertRowAsync(entry, tableVersion, CancellationToken.None);
        public Task<bool> UpdateRow(MembershipEntry entry, string etag, TableVersion tableVersion) => UpdateRowAsync(entry, etag, tableVersion, CancellationToken.None);
        public Task UpdateIAmAlive(MembershipEntry entry) => UpdateIAmAliveAsync(entry, CancellationToken.None);
#pragma warning restore CS0618, CS0672
    }
}

/// <summary>
/// The views users poll (<c>ollama ps</c>, the dashboard, the readiness probe) answer from the
/// silo's membership view, never a read of the membership table per request: a table slower to
/// read than the views wait (2 s) once turned <c>/api/ps</c> into 503 "the cluster is not reachable"
/// on a healthy cluster.
/// </summary>
public sealed class SlowMembershipTableTests(SlowMembershipTableServerFixture server) : IClassFixture<SlowMembershipTableServerFixture>
{
    [Fact]
    public async Task With_a_membership_table_slow_to_read_ps_the_dashboard_and_readiness_answer_and_requests_are_served()
    {
        Assert.Equal(HttpStatusCode.OK, await Generate());
        server.ReadAllDelay = TimeSpan.FromSeconds(10);
        try
        {
            using (var ps = await server.Http.GetAsync("/api/ps"))
            {
                var body = await ps.Content.ReadAsStringAsync();
                Assert.True(ps.StatusCode == HttpStatusCode.OK, $"/api/ps answered {(int)ps.StatusCode}: {body}");
                var model = Assert.Single(JsonDocument.Parse(body).RootElement.GetProperty("models").EnumerateArray());
                Assert.Equal("demo:latest", model.GetProperty("name").GetString());
            }
            using (var cluster = await server.Http.GetAsync("/api/cluster"))
            {
                var body = await cluster.Content.ReadAsStringAsync();
                Assert.True(cluster.StatusCode == HttpStatusCode.OK, $"/api/cluster answered {(int)cluster.StatusCode}: {body}");
                Assert.True(JsonDocument.Parse(body).RootElement.GetProperty("membership_reachable").GetBoolean(), body);
            }
            using (var ready = await server.Http.GetAsync("/readyz"))
            {
                var body = await ready.Content.ReadAsStringAsync();
                Assert.True(ready.StatusCode == HttpStatusCode.OK, $"/readyz answered {(int)ready.StatusCode}: {body}");
                Assert.Equal(1, JsonDocument.Parse(body).RootElement.GetProperty("silos").GetInt32());
            }
            // Aftermath: the next request is served while the table is still slow.
            Assert.Equal(HttpStatusCode.OK, await Generate());
        }
        finally
        {
            server.ReadAllDelay = TimeSpan.Zero;
        }
    }

    private async Task<HttpStatusCode> Generate()
    {
        using var response = await server.Http.PostAsync("/api/generate", new StringContent(
            """{"model":"demo","prompt":"hi","stream":false,"options":{"num_predict":2}}""", Encoding.UTF8, "application/json"));
        return response.StatusCode;
    }
}
