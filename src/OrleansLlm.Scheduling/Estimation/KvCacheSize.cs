using OrleansLlm.Gguf;
using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.Scheduling.Estimation;

/// <summary>Bytes of the KV cache, per layer: context × (key + value length) × KV heads of that layer.</summary>
internal static class KvCacheSize
{
    public static long[] PerLayer(GgufFile model, int blockCount, long context, KvCacheType cacheType)
    {
        var arch = model.Architecture;
        var heads = arch.HeadCount ?? throw new ModelMetadataException($"model has no {arch.Name}.attention.head_count");
        var embedding = arch.EmbeddingLength ?? throw new ModelMetadataException($"model has no {arch.Name}.embedding_length");
        if (heads <= 0)
            throw new ModelMetadataException($"{arch.Name}.attention.head_count is {heads}");
        var keyLength = arch.KeyLength ?? (embedding / heads);
        var valueLength = arch.ValueLength ?? (embedding / heads);
        var type = cacheType switch
        {
            KvCacheType.Q8_0 => GgmlType.Q8_0,
            KvCacheType.Q4_0 => GgmlType.Q4_0,
            _ => GgmlType.F16,
        };

        var perLayer = new long[blockCount];
        for (var i = 0; i < blockCount; i++)
        {
            // Departure from the seed, which assumed 1 KV head when the key is absent: llama.cpp
            // then uses the head count (plain multi-head attention), so that is what memory holds.
            var kvHeads = arch.HeadCountKvOfLayer(i) ?? heads;
            var elements = checked(context * (keyLength + valueLength) * kvHeads);
            perLayer[i] = GgmlTypeTraits.ByteSize(type, elements) ?? throw new ModelMetadataException("KV cache size overflows");
        }
        return perLayer;
    }
}
