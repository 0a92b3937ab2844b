using System.Collections.Concurrent;
using Azure.Core;

namespace OrleansLlm.Autoscaling.Tests;

/// <summary>A credential that hands out one fixed token and remembers the scopes it was asked for (no Azure).</summary>
internal sealed class FixedTokenCredential : TokenCredential
{
    public const string Token = "test-arm-token";

    public ConcurrentQueue<string> Scopes { get; } = new();

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        foreach (var scope in requestContext.Scopes)
            Scopes.Enqueue(scope);
        return new AccessToken(Token, DateTimeOffset.UtcNow.AddHours(1));
    }

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        new(GetToken(requestContext, cancellationToken));
}
