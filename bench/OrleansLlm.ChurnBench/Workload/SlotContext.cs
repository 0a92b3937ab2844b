namespace OrleansLlm.ChurnBench.Workload;

/// <summary>Prompt and answer share one slot's context (<c>num_ctx</c>): long prompts are cut as clients would, answers to a quarter of it.</summary>
internal static class SlotContext
{
    public static (int Prompt, int Output) Fit(Scenario scenario, double prompt, double output)
    {
        var maxOutput = Math.Max(1, scenario.NumCtx / 4);
        var fittedOutput = Math.Clamp((int)Math.Round(output), 1, maxOutput);
        return (Math.Clamp((int)Math.Round(prompt), 1, scenario.NumCtx - fittedOutput), fittedOutput);
    }
}
