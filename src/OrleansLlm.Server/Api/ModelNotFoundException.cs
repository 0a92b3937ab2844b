namespace OrleansLlm.Server.Api;

/// <summary>No model of that name under the models root: 404, with Ollama's text.</summary>
internal sealed class ModelNotFoundException(string name) : Exception($"model '{name}' not found");
