using System.Security.Cryptography;
using System.Text;
using OrleansLlm.ChurnBench.Workload;
using OrleansLlm.Scheduling.Options;

namespace OrleansLlm.ChurnBench.Systems;

/// <summary>How a load balancer in front of independent hosts picks one.</summary>
internal abstract class HostRouter(int hosts)
{
    public int Hosts { get; } = hosts;

    /// <summary>The host (an index into <paramref name="hosts"/>) that serves a request for <paramref name="model"/>.</summary>
    public abstract int Pick(BenchModel model, RunnerOptions options, IReadOnlyList<SeedHost> hosts);

    /// <summary>Each request to the next host in turn, whatever its model.</summary>
    public sealed class RoundRobin(int hosts) : HostRouter(hosts)
    {
        private long _next = -1;

        public override int Pick(BenchModel model, RunnerOptions options, IReadOnlyList<SeedHost> hosts) => (int)(Interlocked.Increment(ref _next) % Hosts);
    }

    /// <summary>Reads every host's state for the model and routes by <see cref="AffinityRouter"/>.</summary>
    public sealed class Affinity(int hosts) : HostRouter(hosts)
    {
        public override int Pick(BenchModel model, RunnerOptions options, IReadOnlyList<SeedHost> hosts) =>
            AffinityRouter.Pick([.. hosts.Select(h => h.View(model.Path, model.File, options))]);
    }

    /// <summary>A consistent-hash ring of the model name (64 virtual nodes per host), as model-affine proxies do.</summary>
    public sealed class ConsistentHash : HostRouter
    {
        private const int VirtualNodes = 64;
        private readonly (ulong Point, int Host)[] _ring;

        public ConsistentHash(int hosts) : base(hosts) =>
            _ring = [.. Enumerable.Range(0, hosts)
                .SelectMany(h => Enumerable.Range(0, VirtualNodes).Select(v => (Hash($"host-{h}#{v}"), h)))
                .OrderBy(p => p.Item1)];

        public override int Pick(BenchModel model, RunnerOptions options, IReadOnlyList<SeedHost> hosts)
        {
            var point = Hash(model.Name);
            foreach (var (p, host) in _ring)
            {
                if (p >= point)
                    return host;
            }
            return _ring[0].Host;
        }

        private static ulong Hash(string text) => BitConverter.ToUInt64(SHA256.HashData(Encoding.UTF8.GetBytes(text)), 0);
    }
}
