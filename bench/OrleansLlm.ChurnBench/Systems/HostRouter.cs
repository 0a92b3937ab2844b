using System.Security.Cryptography;
using System.Text;

namespace OrleansLlm.ChurnBench.Systems;

/// <summary>How a load balancer in front of independent hosts picks one.</summary>
internal abstract class HostRouter(int hosts)
{
    public int Hosts { get; } = hosts;

    public abstract int Pick(string model);

    /// <summary>Each request to the next host in turn, whatever its model.</summary>
    public sealed class RoundRobin(int hosts) : HostRouter(hosts)
    {
        private long _next = -1;

        public override int Pick(string model) => (int)(Interlocked.Increment(ref _next) % Hosts);
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

        public override int Pick(string model)
        {
            var point = Hash(model);
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
