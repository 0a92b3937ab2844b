using LLama.Native;

namespace OrleansLlm.Inference.Llama;

/// <summary>
/// What a failed <c>llama_decode</c> means for the requests in its batch. Only a full KV cache is
/// a normal event (the newest request is shed and the rest go on); every other result means the
/// runner's native state can no longer be trusted: the batch's requests fail with the real reason
/// and the runner reports itself unhealthy, so that its model grain reloads it.
/// </summary>
internal static class DecodeFailure
{
    public static bool IsContextFull(DecodeResult result) => result == DecodeResult.NoKvSlot;

    public static string ContextFull => "the model's context is full: retry, or raise num_ctx";

    public static string Describe(DecodeResult result) => result switch
    {
        DecodeResult.InvalidInputBatch => "llama.cpp rejected the batch as invalid (InvalidInputBatch)",
        DecodeResult.ComputeAborted => "llama.cpp aborted the computation (ComputeAborted)",
        DecodeResult.AllocationFailed => "llama.cpp could not allocate memory for the batch (AllocationFailed)",
        DecodeResult.DecodeFailed => "llama.cpp failed to decode the batch (DecodeFailed)",
        _ => $"llama.cpp returned {(int)result} from decode",
    } + "; the model will be reloaded for the next request";
}
