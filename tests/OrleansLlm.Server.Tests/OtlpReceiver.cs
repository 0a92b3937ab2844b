using System.Collections.Concurrent;
using System.Net;

namespace OrleansLlm.Server.Tests;

/// <summary>
/// A stand-in OpenTelemetry collector: answers OTLP/HTTP (<c>/v1/traces</c>, <c>/v1/metrics</c>,
/// <c>/v1/logs</c>) with 200 and keeps each request's path and protobuf body.
/// </summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<(string Path, byte[] Body)> _received = new();
    private readonly Task _serving;

    public OtlpReceiver()
    {
        Port = TestPorts.Free();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _serving = Serve();
    }

    public int Port { get; }

    public string Endpoint => $"http://127.0.0.1:{Port}";

    public IReadOnlyList<(string Path, byte[] Body)> Received => [.. _received];

    /// <summary>Waits until a request to <paramref name="path"/> whose body holds every one of <paramref name="texts"/> (UTF-8, as protobuf carries strings) arrives.</summary>
    public async Task<bool> Got(string path, TimeSpan timeout, params byte[][] texts)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Received.Any(r => r.Path == path && texts.All(t => r.Body.AsSpan().IndexOf(t) >= 0)))
                return true;
            await Task.Delay(100);
        }
        return false;
    }

    private async Task Serve()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            _received.Enqueue((context.Request.Url!.AbsolutePath, body.ToArray()));
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _serving;
    }
}
