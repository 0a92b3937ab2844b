using LLama.Native;
using Microsoft.Extensions.Logging;

namespace OrleansLlm.Inference.Llama;

/// <summary>
/// llama.cpp's native library, configured once per process before any native call: its log goes
/// to <see cref="ILogger"/>, and its last error lines are kept, because a failed load's reason
/// appears only there (LLamaSharp's exception just says "failed to load model").
/// </summary>
public static partial class LlamaNative
{
    private static readonly Lock Gate = new();
    // The last native error lines, numbered: a mark is a number, so dropping old lines never
    // shifts what a load in progress reads (loads on other models log at the same time).
    private static readonly Queue<(long Number, string Line)> RecentErrors = new();
    private static long _errorsLogged;
    private static ILogger? _logger;
    private static bool _configured;
    private static LLamaLogLevel _lastLevel = LLamaLogLevel.Info;

    /// <summary>Which native library loaded ("CPU (AVX512)", "CUDA"), once <see cref="EnsureLoaded"/> ran.</summary>
    public static string Backend { get; private set; } = "not loaded";

    /// <param name="nativeDirectory">An operator-supplied directory of llama.cpp libraries (a CUDA build), or null.</param>
    public static void EnsureLoaded(ILogger logger, string? nativeDirectory = null)
    {
        lock (Gate)
        {
            if (_configured)
                return;
            _logger = logger;
            try
            {
                var config = NativeLibraryConfig.All.WithLogCallback(OnLog).WithCuda(true).WithAutoFallback(true);
                if (!string.IsNullOrEmpty(nativeDirectory))
                    config.WithSearchDirectory(nativeDirectory);
            }
            catch (InvalidOperationException)
            {
                // Something in this process called llama.cpp first: its defaults stay, and so does
                // its logging; load errors then carry LLamaSharp's message only.
                LogConfiguredTooLate(logger);
            }
            NativeApi.llama_empty_call(); // the first native call must go through NativeApi
            var library = NativeApi.GetLoadedNativeLibrary(NativeLibraryName.LLama);
            Backend = NativeApi.llama_supports_gpu_offload() ? $"GPU ({library?.Metadata})" : $"CPU ({library?.Metadata})";
            _configured = true;
            LogBackend(logger, Backend);
        }
    }

    /// <summary>The native error lines logged since <paramref name="mark"/>, joined: a failed load's reason.</summary>
    public static string ErrorsSince(long mark)
    {
        lock (Gate)
            return string.Join(" ", RecentErrors.Where(e => e.Number >= mark).Select(e => e.Line.Trim()).Where(e => e.Length > 0));
    }

    /// <summary>A position in the error log, to read what a load adds to it.</summary>
    public static long Mark()
    {
        lock (Gate)
            return _errorsLogged;
    }

    private static void OnLog(LLamaLogLevel level, string message)
    {
        // "Continue" lines (progress dots) belong to the previous line's level.
        if (level == LLamaLogLevel.Continue)
            level = _lastLevel;
        _lastLevel = level;
        if (level == LLamaLogLevel.Error)
        {
            lock (Gate)
            {
                RecentErrors.Enqueue((_errorsLogged++, message));
                while (RecentErrors.Count > 256)
                    RecentErrors.Dequeue();
            }
        }
        if (_logger is not { } logger)
            return;
        switch (level)
        {
            case LLamaLogLevel.Error:
                LogNativeError(logger, message.TrimEnd());
                break;
            case LLamaLogLevel.Warning:
                LogNativeWarning(logger, message.TrimEnd());
                break;
            default:
                LogNativeDebug(logger, message.TrimEnd());
                break;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "llama.cpp backend loaded: {Backend}")]
    private static partial void LogBackend(ILogger logger, string backend);

    [LoggerMessage(Level = LogLevel.Warning, Message = "llama.cpp was loaded before OrleansLlm could configure it: native logging and error capture are off")]
    private static partial void LogConfiguredTooLate(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "llama.cpp: {Message}")]
    private static partial void LogNativeError(ILogger logger, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "llama.cpp: {Message}")]
    private static partial void LogNativeWarning(ILogger logger, string message);

    [LoggerMessage(Level = LogLevel.Debug, Message = "llama.cpp: {Message}")]
    private static partial void LogNativeDebug(ILogger logger, string message);
}
