using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace OrleansLlm.Cli;

/// <summary>The verbs that talk to a running server over its Ollama API.</summary>
internal sealed class ServerCommands(HttpClient http, TextWriter output, TextReader input)
{
    public async Task<int> Run(string model, string? prompt, CancellationToken cancellationToken)
    {
        if (prompt is not null)
            return await Generate(model, prompt, cancellationToken);
        output.WriteLine($"chatting with {model}; an empty line or end of input quits");
        var messages = new List<object>();
        while (await input.ReadLineAsync(cancellationToken) is { Length: > 0 } line)
        {
            messages.Add(new { role = "user", content = line });
            var reply = new StringBuilder();
            var status = await Stream("/api/chat", new { model, messages }, chunk => chunk.TryGetProperty("message", out var m) ? m.GetProperty("content").GetString() : null, reply, cancellationToken);
            if (status != 0)
                return status;
            messages.Add(new { role = "assistant", content = reply.ToString() });
        }
        return 0;
    }

    public async Task<int> Ps(CancellationToken cancellationToken)
    {
        var body = await Get("/api/ps", cancellationToken);
        output.WriteLine($"{"NAME",-24} {"SIZE",-10} {"PROCESSOR",-12} {"STATE",-8} {"SILO",-28} {"GPUS",-24} UNTIL");
        foreach (var m in body.GetProperty("models").EnumerateArray())
        {
            var size = m.GetProperty("size").GetInt64();
            var vram = m.GetProperty("size_vram").GetInt64();
            var processor = vram == 0 ? "100% CPU" : vram >= size ? "100% GPU" : $"{100 * (size - vram) / size}%/{100 * vram / size}% CPU/GPU";
            var until = m.GetProperty("expires_at").GetDateTimeOffset();
            // Each GPU the model uses and how much of its memory sits there: "0:4.7 GiB,1:4.7 GiB".
            var gpus = string.Join(",", m.GetProperty("gpus").EnumerateArray().Select(g => $"{g.GetProperty("id").GetString()}:{Scheduling.Bytes.Format(g.GetProperty("size_vram").GetInt64())}"));
            // A replica of a hot model (README "Replicas") is its own row, on its own silo.
            var name = m.TryGetProperty("replica", out var replica) && replica.GetInt32() > 0 ? $"{m.GetProperty("name").GetString()} [replica {replica.GetInt32()}]" : m.GetProperty("name").GetString();
            output.WriteLine($"{name,-24} {Scheduling.Bytes.Format(size),-10} {processor,-12} {Text(m, "state"),-8} {m.GetProperty("silo").GetString(),-28} {(gpus.Length == 0 ? "-" : gpus),-24} {(until.Year > 2200 ? "Forever" : until.ToLocalTime().ToString("u", System.Globalization.CultureInfo.InvariantCulture))}");
        }
        var unreachable = body.TryGetProperty("unreachable", out var silent) ? silent.EnumerateArray().Select(s => s.GetString()).ToArray() : [];
        if (unreachable.Length > 0)
            output.WriteLine($"unreachable silos (they did not answer; their models are not listed): {string.Join(", ", unreachable)}");
        return 0;
    }

    public async Task<int> List(CancellationToken cancellationToken)
    {
        var body = await Get("/api/tags", cancellationToken);
        output.WriteLine($"{"NAME",-32} {"SIZE",-10} {"FAMILY",-10} QUANTIZATION");
        foreach (var m in body.GetProperty("models").EnumerateArray())
        {
            var details = m.GetProperty("details");
            output.WriteLine($"{m.GetProperty("name").GetString(),-32} {Scheduling.Bytes.Format(m.GetProperty("size").GetInt64()),-10} {Text(details, "family"),-10} {Text(details, "quantization_level")}");
        }
        return 0;
    }

    public async Task<int> Show(string model, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync("/api/show", new { model }, cancellationToken);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken)).RootElement;
        if (!response.IsSuccessStatusCode)
            return Fail(body);
        var details = body.GetProperty("details");
        output.WriteLine($"  architecture   {Text(details, "family")}");
        output.WriteLine($"  quantization   {Text(details, "quantization_level")}");
        var info = body.GetProperty("model_info");
        foreach (var key in new[] { "general.parameter_count", "llama.context_length", "llama.embedding_length", "llama.block_count" })
        {
            if (info.TryGetProperty(key, out var value))
                output.WriteLine($"  {key,-26} {value}");
        }
        return 0;
    }

    public async Task<int> Stop(string model, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync("/api/generate", new { model, keep_alive = 0 }, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
            return Fail(JsonDocument.Parse(text).RootElement);
        output.WriteLine($"stopped {model}");
        return 0;
    }

    private Task<int> Generate(string model, string prompt, CancellationToken cancellationToken) =>
        Stream("/api/generate", new { model, prompt }, chunk => chunk.TryGetProperty("response", out var r) ? r.GetString() : null, new StringBuilder(), cancellationToken);

    private async Task<int> Stream(string path, object body, Func<JsonElement, string?> text, StringBuilder collected, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
                continue;
            var chunk = JsonDocument.Parse(line).RootElement;
            if (chunk.TryGetProperty("error", out _))
                return Fail(chunk);
            var piece = text(chunk);
            output.Write(piece);
            collected.Append(piece);
        }
        output.WriteLine();
        return response.IsSuccessStatusCode ? 0 : 1;
    }

    private async Task<JsonElement> Get(string path, CancellationToken cancellationToken) =>
        JsonDocument.Parse(await http.GetStringAsync(path, cancellationToken)).RootElement;

    private int Fail(JsonElement body)
    {
        output.WriteLine($"error: {(body.TryGetProperty("error", out var e) ? e.ToString() : body.ToString())}");
        return 1;
    }

    private static string Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";
}
