namespace OrleansLlm.Templates.GoTemplates;

/// <summary>
/// Bounds on what one template may cost. Templates arrive in HTTP requests, so a hostile one must
/// fail with a <see cref="TemplateException"/> instead of hanging, overflowing the stack or
/// allocating without bound.
/// </summary>
public sealed record TemplateLimits
{
    public static TemplateLimits Default { get; } = new();

    /// <summary>How deeply blocks and parentheses may nest (real model templates use fewer than ten).</summary>
    public int MaxDepth { get; init; } = 64;

    /// <summary>Characters the output may hold.</summary>
    public int MaxOutputChars { get; init; } = 4 * 1024 * 1024;

    /// <summary>Nodes executed, loop iterations and function calls, all together.</summary>
    public long MaxSteps { get; init; } = 2_000_000;

    /// <summary>Characters that functions (<c>printf</c>, <c>json</c>, …) may produce in one execution, output or not.</summary>
    public long MaxProducedChars { get; init; } = 64L * 1024 * 1024;
}
