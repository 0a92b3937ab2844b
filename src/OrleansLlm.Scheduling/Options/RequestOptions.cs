using System.Text.Json;

namespace OrleansLlm.Scheduling.Options;

/// <summary>
/// A request's <c>options</c> object split into what decides a load (<see cref="RunnerOptions"/>)
/// and what shapes one generation (<see cref="SamplingOptions"/>).
/// </summary>
public sealed record RequestOptions(RunnerOptions Runner, SamplingOptions Sampling, IReadOnlyList<string> IgnoredKeys)
{
    /// <summary>Largest context a request may ask for: beyond it llama.cpp would allocate whatever is asked.</summary>
    public const int MaxContextLength = 1 << 20;

    /// <summary>
    /// Parses Ollama's options object over <paramref name="runnerDefaults"/>. Unknown keys are
    /// ignored and listed (as Ollama logs them); a value of the wrong type or out of range is an
    /// <see cref="InvalidOptionsException"/> naming the option.
    /// </summary>
    public static RequestOptions Parse(JsonElement? options, RunnerOptions? runnerDefaults = null)
    {
        var runner = runnerDefaults ?? RunnerOptions.Default;
        var sampling = SamplingOptions.Default;
        var ignored = new List<string>();
        if (options is not { } element || element.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
            return new(runner, sampling, ignored);
        if (element.ValueKind != JsonValueKind.Object)
            throw new InvalidOptionsException("options must be a JSON object");

        foreach (var property in element.EnumerateObject())
        {
            var v = property.Value;
            var name = property.Name;
            switch (name)
            {
                case "num_ctx": runner = runner with { NumCtx = Int(name, v, 0, MaxContextLength) }; break;
                case "num_batch": runner = runner with { NumBatch = Int(name, v, 1, 1 << 20) }; break;
                case "num_gpu": runner = runner with { NumGpu = Int(name, v, int.MinValue, int.MaxValue) }; break;
                case "main_gpu": runner = runner with { MainGpu = Int(name, v, 0, 1024) }; break;
                case "use_mmap": runner = runner with { UseMmap = Bool(name, v) }; break;
                case "use_mlock": runner = runner with { UseMlock = Bool(name, v) }; break;
                case "num_thread": runner = runner with { NumThread = Int(name, v, 0, 4096) }; break;
                case "num_predict": sampling = sampling with { NumPredict = Int(name, v, -2, int.MaxValue) }; break;
                case "temperature": sampling = sampling with { Temperature = Float(name, v, 0, 100) }; break;
                case "top_k": sampling = sampling with { TopK = Int(name, v, 0, int.MaxValue) }; break;
                case "top_p": sampling = sampling with { TopP = Float(name, v, 0, 1) }; break;
                case "min_p": sampling = sampling with { MinP = Float(name, v, 0, 1) }; break;
                case "typical_p": sampling = sampling with { TypicalP = Float(name, v, 0, 1) }; break;
                case "repeat_penalty": sampling = sampling with { RepeatPenalty = Float(name, v, 0, 100) }; break;
                case "repeat_last_n": sampling = sampling with { RepeatLastN = Int(name, v, -1, int.MaxValue) }; break;
                case "presence_penalty": sampling = sampling with { PresencePenalty = Float(name, v, -100, 100) }; break;
                case "frequency_penalty": sampling = sampling with { FrequencyPenalty = Float(name, v, -100, 100) }; break;
                case "seed": sampling = sampling with { Seed = Int(name, v, int.MinValue, int.MaxValue) }; break;
                case "num_keep": sampling = sampling with { NumKeep = Int(name, v, -1, int.MaxValue) }; break;
                case "stop": sampling = sampling with { Stop = Strings(name, v) }; break;
                // Ollama's legacy runner flags: accepted, no effect on llama.cpp today.
                case "low_vram" or "f16_kv" or "logits_all" or "vocab_only" or "numa" or "penalize_newline":
                    Bool(name, v);
                    break;
                default:
                    ignored.Add(name);
                    break;
            }
        }
        return new(runner, sampling, ignored);
    }

    private static int Int(string name, JsonElement v, long min, long max)
    {
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out var d) || !double.IsFinite(d))
            throw new InvalidOptionsException($"option \"{name}\" must be of type integer, not {Describe(v)}");
        // JSON numbers arrive as floats in Ollama too; a fractional part is dropped as there.
        var n = Math.Truncate(d);
        if (n < min || n > max)
            throw new InvalidOptionsException($"option \"{name}\" is {v.GetRawText()}, outside {min}..{max}");
        return (int)n;
    }

    private static float Float(string name, JsonElement v, double min, double max)
    {
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out var d) || !double.IsFinite(d))
            throw new InvalidOptionsException($"option \"{name}\" must be of type number, not {Describe(v)}");
        if (d < min || d > max)
            throw new InvalidOptionsException($"option \"{name}\" is {v.GetRawText()}, outside {min}..{max}");
        return (float)d;
    }

    private static bool Bool(string name, JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw new InvalidOptionsException($"option \"{name}\" must be of type boolean, not {Describe(v)}"),
    };

    private static string[] Strings(string name, JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => [v.GetString()!],
        JsonValueKind.Array when v.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String) =>
            [.. v.EnumerateArray().Select(e => e.GetString()!)],
        _ => throw new InvalidOptionsException($"option \"{name}\" must be a string or an array of strings, not {Describe(v)}"),
    };

    private static string Describe(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "null",
    };
}
