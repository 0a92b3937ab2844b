namespace OrleansLlm.Scheduling.Options;

/// <summary>Element type of the KV cache (<c>OLLAMA_KV_CACHE_TYPE</c>); quantised types need flash attention.</summary>
public enum KvCacheType
{
    F16,
    Q8_0,
    Q4_0,
}
