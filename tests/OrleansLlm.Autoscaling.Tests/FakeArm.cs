using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure.Core.Pipeline;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansLlm.Grains.Autoscaling.ContainerApps;

namespace OrleansLlm.Autoscaling.Tests;

/// <summary>
/// Azure Resource Manager's container app start, stop and read, and their long-running operations,
/// on Kestrel over HTTPS on a free loopback port (Azure.Core sends a bearer token over TLS only):
/// a start or stop answers 202 with a monitor URL, the app is Progressing until its operation
/// finishes after <see cref="PollsBeforeDone"/> polls answered in progress, then Running or Stopped.
/// It can refuse starts and stops with an ARM error, never finish, fail an operation, forbid
/// polling, or never answer a start or stop. Every request is recorded.
/// </summary>
internal sealed partial class FakeArm : IAsyncDisposable
{
    public const string Subscription = "6f1c2a59-3d0e-4a5b-9c77-0e2f4b8d1a10";
    public const string ResourceGroup = "rg-ollm-test";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, string?> _apps = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Operation> _operations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Status, string Code, string Message)> _refusals = new(StringComparer.Ordinal);
    private readonly List<ArmCall> _calls = [];
    private readonly X509Certificate2 _certificate;
    private WebApplication? _web;
    private int _nextOperation;

    private FakeArm(X509Certificate2 certificate) => _certificate = certificate;

    public Uri Endpoint { get; private set; } = null!;

    /// <summary>Polls answered "in progress" before an operation finishes.</summary>
    public int PollsBeforeDone { get; set; } = 1;

    /// <summary>The <c>Retry-After</c> of a 202 and of an in-progress poll, in seconds.</summary>
    public int RetryAfterSeconds { get; set; } = 5;

    /// <summary>Operations stay in progress forever.</summary>
    public bool NeverFinish { get; set; }

    /// <summary>A start or stop is never answered (the request hangs until the client gives up).</summary>
    public bool HangActions { get; set; }

    /// <summary>A start or stop finishes at once and answers 200 (ARM may, for an app already there).</summary>
    public bool FinishAtOnce { get; set; }

    /// <summary>Polls are refused with 403, as for an identity without operation-status read.</summary>
    public bool ForbidPolls { get; set; }

    /// <summary>Monitor with <c>Azure-AsyncOperation</c> (a status document) instead of <c>Location</c> (202 until done).</summary>
    public bool UseAsyncOperationHeader { get; set; }

    /// <summary>When set, an operation that finishes ends Failed with this error (Azure-AsyncOperation style) and the app is as before.</summary>
    public (string Code, string Message)? FailOperations { get; set; }

    public IReadOnlyList<ArmCall> Calls
    {
        get
        {
            lock (_lock)
                return [.. _calls];
        }
    }

    public static async Task<FakeArm> StartAsync(params (string Name, string? RunningStatus)[] apps)
    {
        var arm = new FakeArm(CreateCertificate());
        foreach (var (name, status) in apps)
            arm._apps[name] = status;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(arm._certificate)));
        var web = builder.Build();
        web.Run(arm.HandleAsync);
        await web.StartAsync();
        arm._web = web;
        var address = web.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        arm.Endpoint = new Uri(address);
        return arm;
    }

    /// <summary>What the control app would be given, pointing at this endpoint.</summary>
    public Dictionary<string, string?> Environment() => new()
    {
        ["OLLM_ACA_SUBSCRIPTION_ID"] = Subscription,
        ["OLLM_ACA_RESOURCE_GROUP"] = ResourceGroup,
        ["OLLM_ACA_SILO_APPS"] = string.Join(',', _apps.Keys.Select((name, i) => $"{name}=t4@10.42.0.60:{11111 + i}")),
        ["OLLM_HOST_TYPES"] = "t4=cuda:15GiB@0.53",
        ["OLLM_ARM_ENDPOINT"] = Endpoint.ToString(),
    };

    /// <summary>Client options whose transport trusts this endpoint's certificate alone, with short retry delays.</summary>
    public ContainerAppsClientOptions ClientOptions()
    {
        var thumbprint = _certificate.GetCertHashString();
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString() == thumbprint;
        var options = new ContainerAppsClientOptions { Transport = new HttpClientTransport(handler) };
        options.Retry.Delay = TimeSpan.FromMilliseconds(10);
        options.Retry.MaxDelay = TimeSpan.FromMilliseconds(50);
        return options;
    }

    public string? RunningStatus(string app)
    {
        lock (_lock)
            return _apps[app];
    }

    public void SetRunningStatus(string app, string? status)
    {
        lock (_lock)
            _apps[app] = status;
    }

    /// <summary>Every start or stop of <paramref name="app"/> is refused with this ARM error (retries included).</summary>
    public void Refuse(string app, int status, string code, string message)
    {
        lock (_lock)
            _refusals[app] = (status, code, message);
    }

    /// <summary>Finishes every operation in progress, as if ARM completed them unobserved.</summary>
    public void FinishOperations()
    {
        lock (_lock)
        {
            foreach (var operation in _operations.Values.Where(o => !o.Done))
                Finish(operation);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_web is not null)
            await _web.DisposeAsync();
        _certificate.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var authorization = request.Headers.Authorization.ToString();
        var apiVersion = request.Query["api-version"].ToString();
        lock (_lock)
            _calls.Add(new ArmCall(request.Method, request.Path.Value ?? "", apiVersion.Length > 0 ? apiVersion : null, authorization.Length > 0 ? authorization : null));

        if (authorization != $"Bearer {FixedTokenCredential.Token}")
        {
            await Error(context, 401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.");
            return;
        }
        if (apiVersion.Length == 0)
        {
            await Error(context, 400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.");
            return;
        }

        var path = request.Path.Value ?? "";
        if (OperationPath().Match(path) is { Success: true } op)
        {
            await PollAsync(context, op.Groups["id"].Value);
            return;
        }
        if (AppPath().Match(path) is not { Success: true } match)
        {
            await Error(context, 404, "InvalidResourceType", $"The resource type could not be found for '{path}'.");
            return;
        }
        var name = match.Groups["name"].Value;
        bool exists;
        lock (_lock)
            exists = match.Groups["sub"].Value == Subscription && match.Groups["rg"].Value == ResourceGroup && _apps.ContainsKey(name);
        if (!exists)
        {
            await Error(context, 404, "ResourceNotFound", $"The Resource 'Microsoft.App/containerApps/{name}' under resource group '{match.Groups["rg"].Value}' was not found.");
            return;
        }

        switch (request.Method, match.Groups["action"].Value)
        {
            case ("GET", ""):
                await ReadAsync(context, name);
                break;
            case ("POST", "start"):
                await ActAsync(context, name, "Running");
                break;
            case ("POST", "stop"):
                await ActAsync(context, name, "Stopped");
                break;
            default:
                await Error(context, 405, "MethodNotAllowed", $"{request.Method} is not allowed here.");
                break;
        }
    }

    private async Task ReadAsync(HttpContext context, string name)
    {
        string? status;
        lock (_lock)
            status = _apps[name];
        var properties = new Dictionary<string, object?> { ["provisioningState"] = "Succeeded" };
        if (status is not null)
            properties["runningStatus"] = status;
        await context.Response.WriteAsJsonAsync(new Dictionary<string, object?>
        {
            ["id"] = $"/subscriptions/{Subscription}/resourceGroups/{ResourceGroup}/providers/Microsoft.App/containerApps/{name}",
            ["name"] = name,
            ["type"] = "Microsoft.App/containerApps",
            ["properties"] = properties,
        });
    }

    private async Task ActAsync(HttpContext context, string name, string target)
    {
        if (HangActions)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                // The client gave up, as it must.
            }
            return;
        }
        (int Status, string Code, string Message)? refusal = null;
        var id = "";
        lock (_lock)
        {
            if (_refusals.TryGetValue(name, out var refused))
            {
                refusal = refused;
            }
            else if (FinishAtOnce)
            {
                _apps[name] = target;
            }
            else
            {
                id = $"op-{++_nextOperation}";
                _operations[id] = new Operation(name, target, _apps[name]) { PollsLeft = PollsBeforeDone };
                _apps[name] = "Progressing";
            }
        }
        if (refusal is { } error)
        {
            await Error(context, error.Status, error.Code, error.Message);
            return;
        }
        if (id.Length == 0)
        {
            await ReadAsync(context, name);
            return;
        }
        var monitor = UseAsyncOperationHeader
            ? $"{Endpoint.GetLeftPart(UriPartial.Authority)}/subscriptions/{Subscription}/providers/Microsoft.App/locations/westus3/containerappOperationStatuses/{id}?api-version=2025-07-01"
            : $"{Endpoint.GetLeftPart(UriPartial.Authority)}/subscriptions/{Subscription}/resourceGroups/{ResourceGroup}/providers/Microsoft.App/containerApps/{name}/operationResults/{id}?api-version=2025-07-01";
        context.Response.StatusCode = 202;
        context.Response.Headers[UseAsyncOperationHeader ? "Azure-AsyncOperation" : "Location"] = monitor;
        context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await context.Response.CompleteAsync();
    }

    private async Task PollAsync(HttpContext context, string id)
    {
        if (ForbidPolls)
        {
            await Error(context, 403, "AuthorizationFailed", "The client does not have authorization to perform action 'Microsoft.App/locations/containerappOperationStatuses/read'.");
            return;
        }
        Operation? operation;
        lock (_lock)
        {
            if (_operations.TryGetValue(id, out operation) && !operation.Done)
            {
                if (NeverFinish || operation.PollsLeft > 0)
                    operation.PollsLeft--;
                else
                    Finish(operation);
            }
        }
        if (operation is null)
        {
            await Error(context, 404, "OperationNotFound", $"Operation {id} was not found.");
            return;
        }
        if (!operation.Done)
        {
            context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (UseAsyncOperationHeader)
                await context.Response.WriteAsJsonAsync(new { id, status = "InProgress" });
            else
                context.Response.StatusCode = 202;
            return;
        }
        if (operation.Error is { } error)
        {
            await context.Response.WriteAsJsonAsync(new { id, status = "Failed", error = new { code = error.Code, message = error.Message } });
            return;
        }
        if (UseAsyncOperationHeader)
            await context.Response.WriteAsJsonAsync(new { id, status = "Succeeded" });
        else
            context.Response.StatusCode = 200;
    }

    private void Finish(Operation operation)
    {
        operation.Done = true;
        operation.Error = FailOperations;
        _apps[operation.App] = operation.Error is null ? operation.Target : operation.Before;
    }

    private static Task Error(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsync(JsonSerializer.Serialize(new { error = new { code, message } }));
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        // Through PFX, so that the private key is usable by the TLS stack on every platform.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }

    [GeneratedRegex("^/subscriptions/(?<sub>[^/]+)/resourceGroups/(?<rg>[^/]+)/providers/Microsoft.App/containerApps/(?<name>[^/]+)(?:/(?<action>start|stop))?$")]
    private static partial Regex AppPath();

    [GeneratedRegex("^/subscriptions/[^/]+/(?:resourceGroups/[^/]+/providers/Microsoft.App/containerApps/[^/]+/operationResults|providers/Microsoft.App/locations/[^/]+/containerappOperationStatuses)/(?<id>[^/]+)$")]
    private static partial Regex OperationPath();

    private sealed class Operation(string app, string target, string? before)
    {
        public string App { get; } = app;

        public string Target { get; } = target;

        public string? Before { get; } = before;

        public int PollsLeft { get; set; }

        public bool Done { get; set; }

        public (string Code, string Message)? Error { get; set; }
    }
}
