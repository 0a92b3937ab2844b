using System.Security.Cryptography;
using System.Text;
using OrleansLlm.Server.Api;
using OrleansLlm.Server.Dashboard;

namespace OrleansLlm.Server.Hosting;

/// <summary>
/// <c>OLLM_API_KEY</c>: when set, every endpoint but <c>/</c>, the health probes and the dashboard's
/// static page needs <c>Authorization: Bearer &lt;key&gt;</c>; anything else is a 401 in the error
/// shape of the API called. The page holds no data: it asks for the key and sends it on its fetches.
/// </summary>
internal sealed class ApiKeyGate(string key)
{
    private static readonly ApiError Unauthorized = new(401, "unauthorized: send 'Authorization: Bearer <OLLM_API_KEY>'", "invalid_request_error", "invalid_api_key");

    private readonly byte[] _key = Encoding.UTF8.GetBytes(key);

    public async Task Invoke(HttpContext http, RequestDelegate next)
    {
        var path = http.Request.Path.Value ?? "/";
        if (path is "/" or "/healthz" or "/readyz" || IsDashboardPage(path) || Authorized(http.Request.Headers.Authorization.ToString()))
        {
            await next(http);
            return;
        }
        http.Response.Headers.WWWAuthenticate = "Bearer";
        // Routing has run: the endpoint's API decides the error's shape.
        var shape = http.GetEndpoint()?.Metadata.GetMetadata<ErrorShape>() ?? ErrorShape.Ollama;
        await shape.Result(Unauthorized).ExecuteAsync(http);
    }

    private static bool IsDashboardPage(string path) =>
        path == DashboardEndpoint.Path || path.StartsWith(DashboardEndpoint.Path + "/", StringComparison.Ordinal);

    private bool Authorized(string header)
    {
        const string prefix = "Bearer ";
        if (!header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            return false;
        var given = Encoding.UTF8.GetBytes(header[prefix.Length..].Trim());
        return CryptographicOperations.FixedTimeEquals(given, _key);
    }
}
