using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace OrleansLlm.Server.Hosting;

/// <summary>
/// <c>OLLM_API_KEY</c>: when set, every endpoint but <c>/</c> and the health probes needs
/// <c>Authorization: Bearer &lt;key&gt;</c>; anything else is a 401 in Ollama's error shape.
/// </summary>
internal sealed class ApiKeyGate(string key)
{
    private readonly byte[] _key = Encoding.UTF8.GetBytes(key);

    public async Task Invoke(HttpContext http, RequestDelegate next)
    {
        var path = http.Request.Path.Value ?? "/";
        if (path is "/" or "/healthz" or "/readyz" || Authorized(http.Request.Headers.Authorization.ToString()))
        {
            await next(http);
            return;
        }
        http.Response.Headers.WWWAuthenticate = "Bearer";
        await Results.Json(new { error = "unauthorized: send 'Authorization: Bearer <OLLM_API_KEY>'" }, statusCode: 401).ExecuteAsync(http);
    }

    private bool Authorized(string header)
    {
        const string prefix = "Bearer ";
        if (!header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            return false;
        var given = Encoding.UTF8.GetBytes(header[prefix.Length..].Trim());
        return CryptographicOperations.FixedTimeEquals(given, _key);
    }
}
