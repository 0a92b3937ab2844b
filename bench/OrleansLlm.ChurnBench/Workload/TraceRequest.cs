namespace OrleansLlm.ChurnBench.Workload;

/// <summary>One request of the trace: when it arrives (simulated seconds), which model, how many tokens in and out.</summary>
internal sealed record TraceRequest(int Id, double Arrival, string Model, int PromptTokens, int OutputTokens);
