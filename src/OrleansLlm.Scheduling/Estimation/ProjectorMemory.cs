using OrleansLlm.Gguf;

namespace OrleansLlm.Scheduling.Estimation;

/// <summary>Weights and compute graph of a multimodal projector, which loads on the first GPU only.</summary>
internal static class ProjectorMemory
{
    public static (long Weights, long Graph) Of(GgufFile projector)
    {
        var weights = projector.TensorBytes;
        if (projector.Architecture.Name != "clip")
            return (weights, 0);
        // After Ollama's later projector estimate: the image, the patch embeddings and the
        // attention scores of one image pass, in f32.
        var m = projector.Metadata;
        var heads = m.GetInteger("clip.vision.attention.head_count") ?? 0;
        var embedding = m.GetInteger("clip.vision.embedding_length") ?? 0;
        var imageSize = m.GetInteger("clip.vision.image_size") ?? 0;
        var patchSize = m.GetInteger("clip.vision.patch_size") ?? 0;
        if (patchSize <= 0)
            return (weights, 0);
        var patches = (imageSize / patchSize) * (imageSize / patchSize);
        if (projector.FindTensor("v.class_embd") is not null)
            patches++;
        var graph = 4 * (8 + (3 * imageSize * imageSize) + (embedding * patches) + (patches * patches * heads));
        return (weights, graph);
    }
}
