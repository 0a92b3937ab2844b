using OrleansLlm.Abstractions.Cluster;
using OrleansLlm.Abstractions.Gpus;

namespace OrleansLlm.Server.Api;

/// <summary>
/// Every active silo's GPU snapshot (and, for the dashboard, its activity), asked at once, each
/// within <see cref="SiloAnswerTimeout"/>: a silo that was killed answers nothing until membership
/// declares it dead, and is listed as unreachable instead of failing the whole answer.
/// </summary>
internal static partial class ClusterReader
{
    /// <summary>How long a view waits for one silo.</summary>
    public static readonly TimeSpan SiloAnswerTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a view or the readiness probe waits for the list of active silos. It comes from the
    /// gateway this process talks to, which is alive (a dead gateway fails the call at once), but
    /// which pauses a moment when a peer is lost: 0.8 s here on an idle machine, over 2 s on a loaded
    /// 2-core one — an answer then, not a 503.
    /// </summary>
    public static readonly TimeSpan MembershipAnswerTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The active silos, from the answering silo's membership view (see <see cref="IClusterViewGrain"/>).</summary>
    public static Task<SiloAddress[]> ActiveSilos(IGrainFactory grains, CancellationToken cancellationToken = default) =>
        grains.GetGrain<IClusterViewGrain>(0).GetActiveSilos().WaitAsync(MembershipAnswerTimeout, cancellationToken);

    /// <summary>
    /// Whether a call of a cluster read failed because the cluster did not answer it: a silo that is
    /// gone or silent, or — with the distributed grain directory — a directory lookup that Orleans
    /// cancels while the lost silo's partition is rebuilt (the call is rejected with
    /// <see cref="OperationCanceledException"/>). A cancellation of the caller's own is not that.
    /// </summary>
    public static bool DidNotAnswer(Exception exception, CancellationToken caller = default) =>
        exception is TimeoutException or OrleansException || (exception is OperationCanceledException && !caller.IsCancellationRequested);

    /// <summary>The silos that answered and those that did not; null when membership itself does not answer.</summary>
    public static async Task<ClusterRead?> Read(IGrainFactory grains, ILogger logger, bool withActivity)
    {
        SiloAddress[] hosts;
        try
        {
            hosts = await ActiveSilos(grains);
        }
        catch (Exception e) when (DidNotAnswer(e))
        {
            LogMembershipSilent(logger, e);
            return null;
        }
        var answers = await Task.WhenAll(hosts.OrderBy(h => h.ToParsableString(), StringComparer.Ordinal).Select(async host =>
        {
            var address = host.ToParsableString();
            var silo = grains.GetGrain<IGpuSiloGrain>(address);
            try
            {
                var snapshot = silo.GetSnapshot().WaitAsync(SiloAnswerTimeout);
                var activity = withActivity ? await silo.GetActivity().WaitAsync(SiloAnswerTimeout) : null;
                return (Address: address, View: (SiloView?)new SiloView(await snapshot, activity));
            }
            catch (Exception e) when (DidNotAnswer(e))
            {
                LogSiloSilent(logger, address, e.Message);
                return (Address: address, View: (SiloView?)null);
            }
        }));
        return new ClusterRead(
            [.. answers.Where(a => a.View is not null).Select(a => a.View!)],
            [.. answers.Where(a => a.View is null).Select(a => a.Address)]);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The cluster's membership did not answer")]
    private static partial void LogMembershipSilent(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Silo {Silo} did not answer: {Reason}")]
    private static partial void LogSiloSilent(ILogger logger, string silo, string reason);
}
