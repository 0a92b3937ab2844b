namespace OrleansLlm.Server.Dashboard;

/// <summary>
/// <c>GET /dashboard</c>: a static page (HTML, vanilla JavaScript, CSS, embedded in this assembly;
/// no build step) that polls <c>GET /api/cluster</c>. The page and its files hold no data, so the
/// API key gate lets them through; the data it fetches is behind the key.
/// </summary>
internal static class DashboardEndpoint
{
    /// <summary>The page's own files under this prefix are static and public (see <see cref="Hosting.ApiKeyGate"/>).</summary>
    public const string Path = "/dashboard";

    private static readonly (string Route, string Resource, string ContentType)[] Files =
    [
        (Path, "index.html", "text/html; charset=utf-8"),
        (Path + "/dashboard.js", "dashboard.js", "text/javascript; charset=utf-8"),
        (Path + "/dashboard.css", "dashboard.css", "text/css; charset=utf-8"),
    ];

    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder app)
    {
        foreach (var (route, resource, contentType) in Files)
        {
            var content = Read(resource);
            app.MapGet(route, (HttpContext http) =>
            {
                // Only this page's own scripts and styles, and fetches to this server: data shown
                // on it can never load or run anything else.
                http.Response.Headers.ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";
                http.Response.Headers.XContentTypeOptions = "nosniff";
                http.Response.Headers.CacheControl = "no-cache";
                return Results.Bytes(content, contentType);
            });
        }
        return app;
    }

    private static byte[] Read(string resource)
    {
        using var stream = typeof(DashboardEndpoint).Assembly.GetManifestResourceStream("dashboard/" + resource)
            ?? throw new InvalidOperationException($"the dashboard's {resource} is not embedded in {typeof(DashboardEndpoint).Assembly.GetName().Name}");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
