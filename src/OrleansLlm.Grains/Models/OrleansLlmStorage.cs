namespace OrleansLlm.Grains.Models;

/// <summary>The grain storage provider name model grains persist their keep-alive state in.</summary>
public static class OrleansLlmStorage
{
    public const string Name = "ollm";
}
