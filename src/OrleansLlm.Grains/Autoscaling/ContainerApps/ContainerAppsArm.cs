using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace OrleansLlm.Grains.Autoscaling.ContainerApps;

/// <summary>
/// The three ARM calls the provider makes, as REST over Azure.Core's pipeline (bearer token,
/// retries, logging): POST <c>…/containerApps/{name}/start|stop</c>, GET <c>…/containerApps/{name}</c>
/// for <c>properties.runningStatus</c>, and GET of a long-running operation's monitor URL
/// (azure-container-apps.md §3; ARM RPC's asynchronous operations).
/// </summary>
internal sealed class ContainerAppsArm
{
    public const string ApiVersion = "2025-07-01";

    private readonly HttpPipeline _pipeline;
    private readonly ContainerAppsHostSettings _settings;
    private readonly TimeProvider _time;
    private readonly string _arm;

    public ContainerAppsArm(ContainerAppsHostSettings settings, TokenCredential credential, ContainerAppsClientOptions options, TimeProvider timeProvider)
    {
        _settings = settings;
        _time = timeProvider;
        _arm = settings.ArmEndpoint.GetLeftPart(UriPartial.Path).TrimEnd('/');
        // A token for ARM is asked for as its audience's /.default (any cloud: the endpoint's host).
        var scope = $"{settings.ArmEndpoint.GetLeftPart(UriPartial.Scheme)}{settings.ArmEndpoint.Host}/.default";
        _pipeline = HttpPipelineBuilder.Build(options, new BearerTokenAuthenticationPolicy(credential, scope));
    }

    /// <summary>Whether a monitor URL ARM named is on ARM itself: the bearer token is sent to no other host.</summary>
    public bool IsArm(Uri uri) =>
        Uri.Compare(uri, _settings.ArmEndpoint, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;

    /// <summary>Asks ARM to start or stop an app; returns once it accepted.</summary>
    /// <exception cref="RequestFailedException">ARM refused; the message has its code and message.</exception>
    public async Task<ArmAccepted> PostAsync(string app, string action, CancellationToken cancellationToken)
    {
        using var message = _pipeline.CreateMessage();
        message.Request.Method = RequestMethod.Post;
        message.Request.Uri.Reset(new Uri(AppUri(app, "/" + action)));
        // ARM wants a length on a POST even without a body.
        message.Request.Content = RequestContent.Create(ReadOnlyMemory<byte>.Empty);
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (response.Status is 200 or 204)
            return new ArmAccepted(response.Status, null, null);
        if (response.Status is 201 or 202)
        {
            var monitor = Header(response, "Azure-AsyncOperation") ?? Header(response, "Location");
            return new ArmAccepted(202, monitor is not null && Uri.TryCreate(monitor, UriKind.Absolute, out var uri) ? uri : null, RetryAfter(response));
        }
        throw Refused(response, $"ARM refused to {action} container app '{app}' in resource group '{_settings.ResourceGroup}'");
    }

    /// <summary>The app's <c>properties.runningStatus</c>; null when ARM gives none.</summary>
    /// <exception cref="RequestFailedException">ARM did not answer with the app.</exception>
    public async Task<string?> GetRunningStatusAsync(string app, CancellationToken cancellationToken)
    {
        using var message = _pipeline.CreateMessage();
        message.Request.Method = RequestMethod.Get;
        message.Request.Uri.Reset(new Uri(AppUri(app, "")));
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (response.Status != 200)
            throw Refused(response, $"could not read container app '{app}' in resource group '{_settings.ResourceGroup}'");
        try
        {
            using var json = JsonDocument.Parse(response.Content);
            return json.RootElement.TryGetProperty("properties", out var properties)
                && properties.ValueKind == JsonValueKind.Object
                && properties.TryGetProperty("runningStatus", out var status)
                && status.ValueKind == JsonValueKind.String
                    ? status.GetString()
                    : null;
        }
        catch (JsonException e)
        {
            throw new RequestFailedException(response.Status, $"ARM answered the read of container app '{app}' with a body that is not JSON: {e.Message}", null, e);
        }
    }

    /// <summary>One poll of a long-running operation (ARM RPC: Azure-AsyncOperation answers 200 with a status; Location answers 202 until done).</summary>
    public async Task<ArmPoll> PollAsync(Uri monitor, CancellationToken cancellationToken)
    {
        using var message = _pipeline.CreateMessage();
        message.Request.Method = RequestMethod.Get;
        message.Request.Uri.Reset(monitor);
        await _pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        switch (response.Status)
        {
            case 202:
                return new ArmPoll.InProgress(RetryAfter(response));
            case 200 or 201 or 204:
                return StatusOf(response);
            case 401 or 403 or 404:
                return new ArmPoll.Unwatchable($"HTTP {response.Status} {ArmError.From(response.Status, response.ReasonPhrase, response.Content)}");
            case 408 or 429 or >= 500:
                return new ArmPoll.Transient($"HTTP {response.Status} {ArmError.From(response.Status, response.ReasonPhrase, response.Content)}");
            default:
                // A Location monitor reports a failed operation with the error status it failed with.
                return new ArmPoll.Failed(ArmError.From(response.Status, response.ReasonPhrase, response.Content));
        }
    }

    private ArmPoll StatusOf(Response response)
    {
        try
        {
            using var json = JsonDocument.Parse(response.Content);
            if (json.RootElement.ValueKind != JsonValueKind.Object
                || !json.RootElement.TryGetProperty("status", out var status)
                || status.ValueKind != JsonValueKind.String)
                return new ArmPoll.Succeeded();
            var text = status.GetString()!;
            return text.ToUpperInvariant() switch
            {
                "SUCCEEDED" => new ArmPoll.Succeeded(),
                "FAILED" or "CANCELED" or "CANCELLED" => new ArmPoll.Failed(json.RootElement.TryGetProperty("error", out _)
                    ? ArmError.From(response.Status, response.ReasonPhrase, response.Content)
                    : new ArmError(text, "the operation ended without an error")),
                // InProgress, Accepted, Running, …: any other status is not terminal (ARM RPC).
                _ => new ArmPoll.InProgress(RetryAfter(response)),
            };
        }
        catch (JsonException)
        {
            // A Location monitor's final answer may be the resource, or nothing at all.
            return new ArmPoll.Succeeded();
        }
    }

    private string AppUri(string app, string suffix) =>
        $"{_arm}/subscriptions/{Uri.EscapeDataString(_settings.SubscriptionId)}/resourceGroups/{Uri.EscapeDataString(_settings.ResourceGroup)}"
        + $"/providers/Microsoft.App/containerApps/{Uri.EscapeDataString(app)}{suffix}?api-version={ApiVersion}";

    private static RequestFailedException Refused(Response response, string what)
    {
        var error = ArmError.From(response.Status, response.ReasonPhrase, response.Content);
        var hint = response.Status switch
        {
            401 or 403 => " (the identity, AZURE_CLIENT_ID, needs the silo operator role on the app: infra/modules/identity.bicep)",
            404 => " (check OLLM_ACA_SILO_APPS, OLLM_ACA_RESOURCE_GROUP and OLLM_ACA_SUBSCRIPTION_ID)",
            _ => "",
        };
        return new RequestFailedException(response.Status, $"{what}: HTTP {response.Status} {error.Code}: {error.Message}{hint}", error.Code, null);
    }

    private static string? Header(Response response, string name) =>
        response.Headers.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    /// <summary>ARM's <c>Retry-After</c>: seconds, or an HTTP date.</summary>
    private TimeSpan? RetryAfter(Response response)
    {
        if (Header(response, "Retry-After") is not { } text)
            return null;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            return TimeSpan.FromSeconds(seconds);
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var when)
            ? when - _time.GetUtcNow() is { Ticks: > 0 } wait ? wait : TimeSpan.Zero
            : null;
    }
}
