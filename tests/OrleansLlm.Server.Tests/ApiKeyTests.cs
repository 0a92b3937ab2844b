using System.Net;
using System.Net.Http.Headers;

namespace OrleansLlm.Server.Tests;

public sealed class ApiKeyServerFixture : ServerFixture
{
    public const string Key = "s3cret-key";

    protected override IReadOnlyDictionary<string, string?> ExtraSettings { get; } = new Dictionary<string, string?> { ["OLLM_API_KEY"] = Key };
}

public sealed class ApiKeyTests(ApiKeyServerFixture server) : IClassFixture<ApiKeyServerFixture>
{
    [Theory]
    [InlineData(null)]
    [InlineData("wrong")]
    public async Task Without_the_key_the_api_answers_401(string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/tags");
        if (key is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);

        using var response = await server.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("unauthorized", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_the_key_the_api_answers()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/tags");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ApiKeyServerFixture.Key);

        using var response = await server.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task The_root_and_health_need_no_key()
    {
        Assert.Equal("Ollama is running", await server.Http.GetStringAsync("/"));
        Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task The_dashboard_page_needs_no_key_but_the_data_it_reads_does()
    {
        using var page = await server.Http.GetAsync("/dashboard");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("script-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync("/dashboard/dashboard.js")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Http.GetAsync("/api/cluster")).StatusCode);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/cluster");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ApiKeyServerFixture.Key);
        using var data = await server.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, data.StatusCode);
        Assert.Contains("\"silos\":[{", await data.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
