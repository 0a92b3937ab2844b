using OrleansLlm.Gguf.Files;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Runtime.Placement;
using OrleansLlm.Abstractions.Errors;
using OrleansLlm.Abstractions.Gpus;
using OrleansLlm.Abstractions.Models;
using OrleansLlm.Grains.Configuration;
using OrleansLlm.Grains.Models;
using OrleansLlm.Grains.Placement;
using OrleansLlm.Scheduling;
using OrleansLlm.Scheduling.Gpus;
using OrleansLlm.Scheduling.Options;
using OrleansLlm.Scheduling.Placement;

namespace OrleansLlm.Cluster.Tests;

/// <summary>The VRAM-fit director on its own, as Orleans tests its directors: a substituted placement context and GPU silos, no cluster.</summary>
public class PlacementDirectorTests
{
    private static readonly SiloAddress SiloA = SiloAddress.FromParsableString("127.0.0.1:11111@1");
    private static readonly SiloAddress SiloB = SiloAddress.FromParsableString("127.0.0.1:11112@1");

    [Fact]
    public async Task No_compatible_silo_is_Orleans_SiloUnavailableException()
    {
        var silos = new FakeGpuSilos();

        await Assert.ThrowsAsync<SiloUnavailableException>(() => Place(silos, TestModels.Small("d-none"), local: SiloA));
        Assert.Empty(silos.Claims);
    }

    [Fact]
    public async Task A_placement_hint_names_the_silo()
    {
        var silos = new FakeGpuSilos().With(SiloA, Gpu24()).With(SiloB, Gpu24());

        var placed = await Place(silos, TestModels.Small("d-hint"), local: SiloA, hint: SiloB, compatible: [SiloA, SiloB]);

        Assert.Equal(SiloB, placed);
        Assert.Empty(silos.Claims);
    }

    [Fact]
    public async Task An_unreadable_model_file_goes_to_a_compatible_silo_without_claiming_room()
    {
        var silos = new FakeGpuSilos().With(SiloB, Gpu24());
        var missing = Path.Combine(Path.GetTempPath(), $"ollm-missing-{Guid.NewGuid():N}.gguf");

        var placed = await Place(silos, missing, local: SiloA, compatible: [SiloB]);

        Assert.Equal(SiloB, placed);
        Assert.Empty(silos.Claims);
    }

    [Fact]
    public async Task A_model_goes_where_it_fits_now_rather_than_where_an_idle_model_must_be_evicted()
    {
        var full = Gpu24() with { Runners = [Idle("/m/other", gib: 20)] };
        var silos = new FakeGpuSilos().With(SiloA, full).With(SiloB, Gpu24());

        var placed = await Place(silos, TestModels.Medium("d-fits"), local: SiloA, compatible: [SiloA, SiloB]);

        Assert.Equal(SiloB, placed);
        var claim = Assert.Single(silos.Claims);
        Assert.Equal((SiloB.ToParsableString(), HostChoiceKind.FitsNow), (claim.Silo, claim.Kind));
    }

    [Fact]
    public async Task A_refused_claim_sends_the_model_to_the_next_ranked_silo()
    {
        var silos = new FakeGpuSilos().With(SiloA, Gpu24()).With(SiloB, Gpu24() with { Runners = [Idle("/m/other", gib: 20)] });
        silos.Refuse(SiloA);

        var placed = await Place(silos, TestModels.Medium("d-refused"), local: SiloA, compatible: [SiloA, SiloB]);

        Assert.Equal(SiloB, placed);
        Assert.Equal([HostChoiceKind.FitsNow, HostChoiceKind.AfterEviction], silos.Claims.Select(c => c.Kind));
    }

    [Fact]
    public async Task A_silo_that_does_not_answer_is_skipped()
    {
        var silos = new FakeGpuSilos().With(SiloB, Gpu24());

        var placed = await Place(silos, TestModels.Medium("d-silent"), local: SiloA, compatible: [SiloA, SiloB]);

        Assert.Equal(SiloB, placed);
    }

    [Fact]
    public async Task A_model_that_fits_no_silo_is_refused_with_what_it_needs()
    {
        var silos = new FakeGpuSilos().With(SiloA, Gpu24(ramGib: 16)).With(SiloB, Gpu24(ramGib: 16));

        var error = await Assert.ThrowsAsync<ModelTooLargeException>(() => Place(silos, TestModels.Huge("d-huge"), local: SiloA, compatible: [SiloA, SiloB]));

        Assert.Contains("model requires", error.Message);
        Assert.Empty(silos.Claims);
    }

    [Fact]
    public async Task When_no_silo_answers_at_first_the_director_asks_again_and_places_the_model()
    {
        var silos = new FakeGpuSilos().With(SiloB, Gpu24());
        silos.SilentFor(2); // joining, or too loaded to answer in time

        var placed = await Place(silos, TestModels.Medium("d-late"), local: SiloA, compatible: [SiloA, SiloB]);

        Assert.Equal(SiloB, placed);
        Assert.Equal(3, silos.SnapshotCalls);
    }

    [Fact]
    public async Task With_no_GPU_silo_running_the_caller_gets_NoGpuHostException_naming_the_model()
    {
        var silos = new FakeGpuSilos(); // only silos that take no models (a control silo) are compatible

        var error = await Assert.ThrowsAsync<NoGpuHostException>(() => Place(silos, TestModels.Medium("d-none"), local: SiloA, compatible: [SiloA]));

        Assert.Contains("d-none", error.Message);
        Assert.Equal(3, silos.SnapshotCalls);
        Assert.Empty(silos.Claims);
    }

    [Fact]
    public async Task The_request_options_size_the_model_admitted_by_num_parallel()
    {
        var silos = new FakeGpuSilos().With(SiloA, Gpu24());
        var data = new Dictionary<string, object> { [ModelRequestContext.RunnerOptionsKey] = RunnerOptions.Default with { NumCtx = 8192 } };

        await Place(silos, TestModels.Small("d-ctx"), local: SiloA, compatible: [SiloA], data: data, numParallel: 2);

        Assert.Equal(16384, Assert.Single(silos.Claims).Options.NumCtx);
    }

    private static Task<SiloAddress> Place(FakeGpuSilos silos, string modelPath, SiloAddress local, SiloAddress[]? compatible = null,
        SiloAddress? hint = null, Dictionary<string, object>? data = null, int numParallel = 1)
    {
        data ??= [];
        if (hint is not null)
            data[IPlacementDirector.PlacementHintKey] = hint;
        var director = new GpuFitPlacementDirector(silos, new ServiceCollection().BuildServiceProvider(), new ModelFileCache(),
            Options.Create(new OrleansLlmOptions { NumParallel = numParallel }), TimeProvider.System, NullLogger<GpuFitPlacementDirector>.Instance);
        var target = new PlacementTarget(GrainId.Create("model", modelPath), data, default, 0);
        return director.OnAddActivation(new GpuFitPlacement(), target, new FakeContext(local, compatible ?? []));
    }

    private static HostSnapshot Gpu24(double ramGib = 64) => new(
        [new GpuInfo { Id = "0", Library = GpuLibraries.Cuda, TotalMemory = 24 * Bytes.GiB, FreeMemory = 24 * Bytes.GiB, MinimumMemory = GpuLibraries.MinimumMemory(GpuLibraries.Cuda) }],
        GpuInfo.Cpu((long)(ramGib * Bytes.GiB), (long)(ramGib * Bytes.GiB)),
        []);

    private static LoadedRunner Idle(string path, long gib) => new()
    {
        ModelPath = path,
        TotalBytes = gib * Bytes.GiB,
        VramByGpu = new Dictionary<string, long> { ["0"] = gib * Bytes.GiB },
    };

    private sealed class FakeContext(SiloAddress local, SiloAddress[] compatible) : IPlacementContext
    {
        public SiloAddress LocalSilo => local;

        public SiloStatus LocalSiloStatus => SiloStatus.Active;

        public SiloAddress[] GetCompatibleSilos(PlacementTarget target) => compatible;

        public IReadOnlyDictionary<ushort, SiloAddress[]> GetCompatibleSilosWithVersions(PlacementTarget target) =>
            new Dictionary<ushort, SiloAddress[]> { [0] = compatible };
    }

    private sealed class FakeGpuSilos : IGpuSiloDirectory
    {
        private readonly Dictionary<SiloAddress, HostSnapshot> _hosts = [];
        private readonly HashSet<string> _refusing = [];

        public List<(string Silo, RunnerOptions Options, HostChoiceKind Kind)> Claims { get; } = [];

        public FakeGpuSilos With(SiloAddress silo, HostSnapshot host)
        {
            _hosts[silo] = host;
            return this;
        }

        public void Refuse(SiloAddress silo) => _refusing.Add(silo.ToParsableString());

        private int _silent;

        public int SnapshotCalls { get; private set; }

        /// <summary>The next <paramref name="calls"/> snapshot calls get no answer from any silo.</summary>
        public void SilentFor(int calls) => _silent = calls;

        public Task<IReadOnlyList<SiloSnapshot>> Snapshots(IEnumerable<SiloAddress> silos)
        {
            SnapshotCalls++;
            if (_silent-- > 0)
                return Task.FromResult<IReadOnlyList<SiloSnapshot>>([]);
            return Task.FromResult<IReadOnlyList<SiloSnapshot>>([.. silos.Where(_hosts.ContainsKey).Select(s => new SiloSnapshot(s.ToParsableString(), _hosts[s], 1, "configured", 0, 0))]);
        }

        public Task<bool> Claim(string silo, string modelPath, RunnerOptions admitted, HostChoiceKind kind)
        {
            Claims.Add((silo, admitted, kind));
            return Task.FromResult(!_refusing.Contains(silo));
        }
    }
}
