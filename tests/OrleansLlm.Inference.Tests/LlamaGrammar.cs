using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using LLama;
using LLama.Common;
using LLama.Native;
using OrleansLlm.Gguf.Models;

namespace OrleansLlm.Inference.Tests;

/// <summary>
/// llama.cpp's own grammar engine, to ask which texts a GBNF grammar accepts: the grammar sampler
/// of the library LLamaSharp loaded, fed the demo model's byte tokens one by one. Its functions
/// are called directly because LLamaSharp adds a grammar that fails to parse to a sampler chain
/// as a null pointer (a crash when sampling), where here it is a test failure with llama.cpp's reason on stderr.
/// </summary>
internal static unsafe class LlamaGrammar
{
    private static readonly Lazy<Native> Functions = new(Load);

    /// <summary>Whether <paramref name="gbnf"/> accepts exactly <paramref name="text"/>; throws when llama.cpp cannot parse the grammar.</summary>
    public static bool Accepts(string gbnf, string text)
    {
        var native = Functions.Value;
        var sampler = Init(native, gbnf);
        try
        {
            foreach (var b in Encoding.UTF8.GetBytes(text))
            {
                var token = DemoVocabulary.EndOfSequence + 1 + b; // the 256 byte tokens follow the three special ones
                if (!Allowed(native, sampler, token))
                    return false;
                native.Accept(sampler, token);
            }
            return Allowed(native, sampler, DemoVocabulary.EndOfSequence);
        }
        finally
        {
            native.Free(sampler);
        }
    }

    /// <summary>Throws unless llama.cpp parses <paramref name="gbnf"/>.</summary>
    public static void Parse(string gbnf) => Functions.Value.Free(Init(Functions.Value, gbnf));

    private static nint Init(Native native, string gbnf)
    {
        var grammar = Marshal.StringToCoTaskMemUTF8(gbnf);
        var root = Marshal.StringToCoTaskMemUTF8("root");
        try
        {
            var sampler = native.InitGrammar(native.Vocab, (byte*)grammar, (byte*)root);
            return sampler != 0 ? sampler : throw new InvalidOperationException($"llama.cpp refused the grammar (its reason is on stderr):\n{gbnf}");
        }
        finally
        {
            Marshal.FreeCoTaskMem(grammar);
            Marshal.FreeCoTaskMem(root);
        }
    }

    private static bool Allowed(Native native, nint sampler, int token)
    {
        var data = new TokenData { Id = token };
        var array = new TokenDataArray { Data = &data, Size = 1, Selected = -1 };
        native.Apply(sampler, &array);
        return !float.IsNegativeInfinity(data.Logit);
    }

    private static Native Load()
    {
        _ = DemoModels.Tiny; // writes the model and configures llama.cpp's library
        var weights = LLamaWeights.LoadFromFile(new ModelParams(DemoModels.Tiny) { GpuLayerCount = 0 }); // kept for the process
        var field = typeof(NativeApi).GetField("_loadedLlamaHandle", BindingFlags.NonPublic | BindingFlags.Static)
            ?? throw new InvalidOperationException("LLamaSharp no longer keeps the llama library handle in NativeApi._loadedLlamaHandle");
        var library = (nint)field.GetValue(null)!;
        nint Export(string name) => NativeLibrary.GetExport(library, name);
        var getVocab = (delegate* unmanaged[Cdecl]<nint, nint>)Export("llama_model_get_vocab");
        return new Native
        {
            Weights = weights,
            Vocab = getVocab(weights.NativeHandle.DangerousGetHandle()),
            InitGrammar = (delegate* unmanaged[Cdecl]<nint, byte*, byte*, nint>)Export("llama_sampler_init_grammar"),
            Apply = (delegate* unmanaged[Cdecl]<nint, TokenDataArray*, void>)Export("llama_sampler_apply"),
            Accept = (delegate* unmanaged[Cdecl]<nint, int, void>)Export("llama_sampler_accept"),
            Free = (delegate* unmanaged[Cdecl]<nint, void>)Export("llama_sampler_free"),
        };
    }

    private sealed class Native
    {
        public required LLamaWeights Weights { get; init; }
        public required nint Vocab { get; init; }
        public required delegate* unmanaged[Cdecl]<nint, byte*, byte*, nint> InitGrammar { get; init; }
        public required delegate* unmanaged[Cdecl]<nint, TokenDataArray*, void> Apply { get; init; }
        public required delegate* unmanaged[Cdecl]<nint, int, void> Accept { get; init; }
        public required delegate* unmanaged[Cdecl]<nint, void> Free { get; init; }
    }

    /// <summary>llama.cpp's <c>llama_token_data</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct TokenData
    {
        public int Id;
        public float Logit;
        public float P;
    }

    /// <summary>llama.cpp's <c>llama_token_data_array</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct TokenDataArray
    {
        public TokenData* Data;
        public nuint Size;
        public long Selected;
        [MarshalAs(UnmanagedType.U1)]
        public bool Sorted;
    }
}
