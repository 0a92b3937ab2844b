using OrleansLlm.Scheduling;
using OrleansLlm.Scheduling.Autoscaling;

namespace OrleansLlm.Scheduling.Tests;

/// <summary>The autoscaler's decisions, one tick at a time and over simulated hours on a fake clock.</summary>
public sealed class AutoscalerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 5, 8, 0, 0, TimeSpan.Zero);
    private static readonly HostType T4 = new("t4", [16 * Bytes.GiB], 0.5);
    private static readonly HostType A100 = new("a100", [80 * Bytes.GiB], 3.4);

    [Fact]
    public void Models_that_fit_together_start_one_host_of_the_cheapest_type_that_holds_them()
    {
        var fleet = Fleet([Stopped("t4-1", "t4"), Stopped("t4-2", "t4"), Stopped("a100-1", "a100")],
            [Load("a", 6), Load("b", 6)]);

        var decision = Autoscaler.Decide(fleet, AutoscalerSettings.Default, T0);

        var start = Assert.IsType<StartHost>(Assert.Single(decision.Actions));
        Assert.Equal(("t4-1", "t4"), (start.HostId, start.HostType));
        Assert.Contains("a, b", start.Reason, StringComparison.Ordinal);
        Assert.Equal((0, 1), (decision.Running, decision.Desired));
    }

    [Fact]
    public void Loads_reported_while_a_host_starts_that_fit_on_it_start_nothing_more()
    {
        var fleet = Fleet([Starting("t4-1", "t4", T0.AddSeconds(-20)), Stopped("t4-2", "t4")],
            [Load("a", 6), Load("b", 6)]);

        var decision = Autoscaler.Decide(fleet, AutoscalerSettings.Default, T0);

        Assert.Empty(decision.Actions);
        Assert.Equal(1, decision.Desired);
    }

    [Fact]
    public void A_model_reported_while_a_host_starts_for_others_starts_its_own_host_at_once_when_their_room_is_taken()
    {
        // t4-1 was started for a (10 GiB) and a's requests have not reported again this tick: its
        // 16 GiB are not all free for c (8 GiB), which would otherwise wait for t4-1 to be ready
        // and find no room there.
        var promised = Starting("t4-1", "t4", T0.AddSeconds(-20)) with { Promised = [new WantedModel("a", 10 * Bytes.GiB)] };
        var fleet = Fleet([promised, Stopped("t4-2", "t4")], [Load("c", 8)]);

        var decision = Autoscaler.Decide(fleet, AutoscalerSettings.Default, T0);

        var start = Assert.IsType<StartHost>(Assert.Single(decision.Actions));
        Assert.Equal("t4-2", start.HostId);
        Assert.Equal(["c"], start.For.Select(m => m.Model));
    }

    [Fact]
    public void A_model_a_starting_host_was_started_for_keeps_its_room_there_when_a_larger_one_is_reported()
    {
        var promised = Starting("t4-1", "t4", T0.AddSeconds(-20)) with { Promised = [new WantedModel("a", 7 * Bytes.GiB)] };
        var fleet = Fleet([promised, Stopped("t4-2", "t4")], [Load("a", 7), Load("big", 12)]);

        var decision = Autoscaler.Decide(fleet, AutoscalerSettings.Default, T0);

        var start = Assert.IsType<StartHost>(Assert.Single(decision.Actions));
        Assert.Equal(["big"], start.For.Select(m => m.Model));
        Assert.DoesNotContain("a,", start.Reason, StringComparison.Ordinal);
        Assert.Equal(2, decision.Desired);
    }

    [Fact]
    public void A_model_larger_than_any_running_host_starts_the_cheapest_type_that_holds_it()
    {
        var fleet = Fleet([Ready("t4-1", "t4", free: 16), Stopped("t4-2", "t4"), Stopped("a100-1", "a100")],
            [Load("big", 40, fitsOn: ["a100"])]);

        var decision = Autoscaler.Decide(fleet, AutoscalerSettings.Default, T0);

        Assert.Equal("a100-1", Assert.IsType<StartHost>(Assert.Single(decision.Actions)).HostId);
    }

    [Fact]
    public void A_model_no_host_type_holds_starts_nothing_and_says_why()
    {
        var fleet = Fleet([Stopped("t4-1", "t4"), Stopped("a100-1", "a100")], [Load("huge", 200, fitsOn: [])]);

        var decision = Autoscaler.Decide(fleet, AutoscalerSettings.Default, T0);

        Assert.Empty(decision.Actions);
        Assert.Contains("huge", Assert.Single(decision.Unmet), StringComparison.Ordinal);
        Assert.Contains("no host type holds it", decision.Unmet[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Caps_on_hosts_concurrent_starts_and_quota_hold_and_are_named()
    {
        var pool = Enumerable.Range(1, 6).Select(i => Stopped($"t4-{i}", "t4")).ToList();
        var demand = Enumerable.Range(1, 6).Select(i => Load($"m{i}", 10)).ToList();
        var settings = AutoscalerSettings.Default with { MaxConcurrentStarts = 2 };

        var decision = Autoscaler.Decide(Fleet(pool, demand), settings, T0);
        var quota = Autoscaler.Decide(Fleet(pool, demand), settings with { MaxConcurrentStarts = 6, MaxHostsPerType = new Dictionary<string, int> { ["t4"] = 3 } }, T0);

        Assert.Equal(2, decision.Actions.OfType<StartHost>().Count());
        Assert.Equal(4, decision.Unmet.Count(u => u.Contains("max concurrent starts", StringComparison.Ordinal)));
        Assert.Equal(3, quota.Actions.OfType<StartHost>().Count());
        Assert.Equal(3, quota.Unmet.Count(u => u.Contains("quota of 3", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_start_not_ready_in_time_is_given_up_and_its_type_backed_off_while_another_type_still_starts()
    {
        var settings = AutoscalerSettings.Default;
        var late = Starting("t4-1", "t4", T0 - settings.StartTimeout);
        var fleet = Fleet([late, Stopped("t4-2", "t4"), Stopped("a100-1", "a100")], [Load("a", 6, fitsOn: ["t4", "a100"])]);

        var decision = Autoscaler.Decide(fleet, settings, T0);

        var giveUp = Assert.Single(decision.Actions.OfType<GiveUpHost>());
        Assert.Equal("t4-1", giveUp.HostId);
        Assert.InRange(giveUp.RetryAfter - T0, settings.Backoff, settings.Backoff * 1.25);
        // The T4s are backed off: the demand goes to the next type that holds it rather than waiting.
        Assert.Equal("a100-1", Assert.Single(decision.Actions.OfType<StartHost>()).HostId);
    }

    [Fact]
    public void Back_off_doubles_per_failure_up_to_its_cap()
    {
        var settings = AutoscalerSettings.Default with { Backoff = TimeSpan.FromMinutes(1), MaxBackoff = TimeSpan.FromMinutes(15) };

        Assert.InRange(Autoscaler.BackoffFor("h", 3, settings), TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(5));
        Assert.InRange(Autoscaler.BackoffFor("h", 10, settings), TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(18.75));
    }

    [Fact]
    public void An_idle_host_is_stopped_only_past_the_delay_and_its_lifetime_and_never_while_scaling_out()
    {
        var settings = AutoscalerSettings.Default;
        var idle = Ready("t4-1", "t4", free: 16, startedAt: T0 - settings.MinHostLifetime, idleSince: T0 - settings.ScaleInDelay);
        var other = Ready("t4-2", "t4", free: 4, inFlight: 2);

        var stop = Autoscaler.Decide(Fleet([idle, other], []), settings, T0);
        var young = Autoscaler.Decide(Fleet([idle with { StartedAt = T0.AddMinutes(-1) }, other], []), settings, T0);
        var scalingOut = Autoscaler.Decide(Fleet([idle, other, Starting("t4-3", "t4", T0.AddSeconds(-5))], []), settings, T0);
        var demanded = Autoscaler.Decide(Fleet([idle, other], []) with { LastDemand = T0.AddSeconds(-30) }, settings, T0);

        Assert.Equal("t4-1", Assert.IsType<StopHost>(Assert.Single(stop.Actions)).HostId);
        Assert.Empty(young.Actions);
        Assert.Empty(scalingOut.Actions);
        Assert.Empty(demanded.Actions); // demand was seen within the scale-in delay
    }

    [Fact]
    public void A_host_whose_pinned_model_fits_nowhere_else_stays_and_the_last_host_waits_the_idle_to_zero_delay()
    {
        var settings = AutoscalerSettings.Default;
        var old = T0.AddHours(-1);
        var pinned = Ready("t4-1", "t4", free: 6, startedAt: old, idleSince: T0 - settings.ScaleInDelay) with { Wanted = [new WantedModel("p", 10 * Bytes.GiB)] };
        var full = Ready("t4-2", "t4", free: 4, startedAt: old, inFlight: 1);
        var last = Ready("t4-1", "t4", free: 16, startedAt: old, idleSince: T0 - settings.ScaleInDelay);

        Assert.Empty(Autoscaler.Decide(Fleet([pinned, full], []), settings, T0).Actions);
        Assert.Empty(Autoscaler.Decide(Fleet([last], []), settings, T0).Actions);
        Assert.Single(Autoscaler.Decide(Fleet([last with { IdleSince = T0 - settings.IdleToZeroDelay }], []), settings, T0).Actions.OfType<StopHost>());
    }

    [Fact]
    public void One_host_is_stopped_at_a_time()
    {
        var settings = AutoscalerSettings.Default;
        var old = T0.AddHours(-1);
        var a = Ready("t4-1", "t4", free: 16, startedAt: old, idleSince: old);
        var b = Ready("t4-2", "t4", free: 16, startedAt: old, idleSince: old);
        var c = Ready("t4-3", "t4", free: 16, startedAt: old, idleSince: old);

        Assert.Single(Autoscaler.Decide(Fleet([a, b, c], []), settings, T0).Actions);
        Assert.Empty(Autoscaler.Decide(Fleet([a with { State = HostState.Stopping }, b, c], []), settings, T0).Actions);
    }

    [Fact]
    public void A_step_starts_just_enough_hosts_at_once()
    {
        // Five 7 GiB models at once: two fit per 16 GiB host, so three hosts; started together, none later.
        var sim = new FleetSim(hosts: 8, AutoscalerSettings.Default with { MaxConcurrentStarts = 4 });
        sim.Run(TimeSpan.FromMinutes(30), t => t < TimeSpan.FromMinutes(20) ? ["a", "b", "c", "d", "e"] : []);

        Assert.Equal(3, sim.Starts.Count);
        Assert.True(sim.Starts.All(s => s.At == sim.Starts[0].At), "every start came in the first decision");
        Assert.Equal(TimeSpan.Zero, sim.Starts[0].At - sim.FirstUnplaceable);
    }

    [Fact]
    public void A_swinging_load_neither_flip_flops_nor_stops_a_host_within_its_lifetime_and_ends_at_zero()
    {
        // Bursts of four models every 3 minutes for an hour, quiet in between, then nothing.
        var settings = AutoscalerSettings.Default;
        var sim = new FleetSim(hosts: 8, settings);
        sim.Run(TimeSpan.FromHours(2), t => t >= TimeSpan.FromHours(1) ? [] : (int)t.TotalMinutes / 3 % 2 == 0 ? ["a", "b", "c", "d"] : ["a"]);

        Assert.Equal(2, sim.Starts.Count); // the peak need, once
        Assert.All(sim.Stops, stop => Assert.True(stop.At - sim.StartOf(stop.Host) >= settings.MinHostLifetime, $"{stop.Host} stopped {stop.At - sim.StartOf(stop.Host)} after its start"));
        Assert.True(sim.Stops.All(s => s.At > TimeSpan.FromHours(1)), "no host stopped while the load swung");
        Assert.Equal(2, sim.Stops.Count);
        Assert.Equal(0, sim.RunningAtEnd);
    }

    private static FleetView Fleet(IReadOnlyList<FleetHost> hosts, IReadOnlyList<UnplaceableLoad> demand) =>
        new(hosts, [T4, A100], demand, new Dictionary<string, TypeBackoff>(), null);

    private static UnplaceableLoad Load(string model, long gib, IReadOnlyList<string>? fitsOn = null) =>
        new(model, gib * Bytes.GiB, fitsOn ?? ["t4", "a100"], T0);

    private static FleetHost Stopped(string id, string type) => new() { Id = id, Type = type, State = HostState.Stopped };

    private static FleetHost Starting(string id, string type, DateTimeOffset at) =>
        new() { Id = id, Type = type, State = HostState.Starting, StartedAt = at };

    private static FleetHost Ready(string id, string type, long free, DateTimeOffset? startedAt = null, DateTimeOffset? idleSince = null, int inFlight = 0) => new()
    {
        Id = id, Type = type, State = HostState.Ready, FreeBytes = free * Bytes.GiB, StartedAt = startedAt ?? T0.AddHours(-1),
        IdleSince = inFlight > 0 ? null : idleSince, InFlight = inFlight,
    };

    /// <summary>
    /// A pool of 16 GiB hosts under a demand of 7 GiB models, ticking every second: a host is ready
    /// 60 s after its start and stopped 10 s after its stop; a model wanted and not held goes to a
    /// ready host with room, or is unplaceable; a model no longer wanted idles and unloads after 5 min.
    /// </summary>
    private sealed class FleetSim(int hosts, AutoscalerSettings settings)
    {
        private static readonly long ModelBytes = 7 * Bytes.GiB;
        private readonly List<SimHost> _hosts = [.. Enumerable.Range(1, hosts).Select(i => new SimHost($"t4-{i}"))];
        private DateTimeOffset? _lastScaleOut;

        public List<(TimeSpan At, string Host)> Starts { get; } = [];

        public List<(TimeSpan At, string Host)> Stops { get; } = [];

        public TimeSpan? FirstUnplaceable { get; private set; }

        public int RunningAtEnd => _hosts.Count(h => h.State is HostState.Starting or HostState.Ready);

        public TimeSpan StartOf(string host) => Starts.Last(s => s.Host == host).At;

        public void Run(TimeSpan length, Func<TimeSpan, string[]> wanted)
        {
            for (var t = TimeSpan.Zero; t < length; t += TimeSpan.FromSeconds(1))
            {
                var now = T0 + t;
                foreach (var host in _hosts)
                    host.Advance(now);
                var want = wanted(t);
                var unplaceable = new List<UnplaceableLoad>();
                foreach (var model in want.Where(m => !_hosts.Any(h => h.Models.ContainsKey(m))))
                {
                    if (_hosts.FirstOrDefault(h => h.State == HostState.Ready && h.Free >= ModelBytes) is { } room)
                        room.Models[model] = now;
                    else
                        unplaceable.Add(new UnplaceableLoad(model, ModelBytes, ["t4"], now));
                }
                if (unplaceable.Count > 0)
                    FirstUnplaceable ??= t;
                foreach (var host in _hosts)
                    host.Touch(want, now);
                var view = new FleetView([.. _hosts.Select(h => h.View(now))], [T4], unplaceable, new Dictionary<string, TypeBackoff>(), _lastScaleOut);
                foreach (var action in Autoscaler.Decide(view, settings, now).Actions)
                {
                    var host = _hosts.Single(h => h.Id == action.HostId);
                    if (action is StartHost start)
                    {
                        host.Start(now, start.For);
                        _lastScaleOut = now;
                        Starts.Add((t, host.Id));
                    }
                    else
                    {
                        host.Stop(now);
                        Stops.Add((t, host.Id));
                    }
                }
            }
        }

        private sealed class SimHost(string id)
        {
            public string Id { get; } = id;

            public HostState State { get; private set; } = HostState.Stopped;

            /// <summary>Held models, and when each was last wanted.</summary>
            public Dictionary<string, DateTimeOffset> Models { get; } = [];

            public long Free => (16 * Bytes.GiB) - (Models.Count * ModelBytes);

            private DateTimeOffset _since;
            private DateTimeOffset? _idleSince;
            private int _busy;

            private IReadOnlyList<WantedModel> _promised = [];

            public void Start(DateTimeOffset now, IReadOnlyList<WantedModel> promised) => (State, _since, _promised) = (HostState.Starting, now, promised);

            public void Stop(DateTimeOffset now) => (State, _since) = (HostState.Stopping, now);

            public void Advance(DateTimeOffset now)
            {
                if (State == HostState.Starting && now - _since >= TimeSpan.FromSeconds(60))
                    (State, _idleSince) = (HostState.Ready, now);
                if (State == HostState.Stopping && now - _since >= TimeSpan.FromSeconds(10))
                {
                    State = HostState.Stopped;
                    Models.Clear();
                }
                foreach (var expired in Models.Where(m => now - m.Value >= TimeSpan.FromMinutes(5)).Select(m => m.Key).ToArray())
                    Models.Remove(expired);
            }

            public void Touch(string[] wanted, DateTimeOffset now)
            {
                _busy = 0;
                foreach (var model in Models.Keys.Where(wanted.Contains).ToArray())
                {
                    Models[model] = now;
                    _busy++;
                }
                _idleSince = _busy > 0 ? null : _idleSince ?? now;
            }

            public FleetHost View(DateTimeOffset now) => new()
            {
                Id = Id, Type = "t4", State = State, StartedAt = State == HostState.Stopped ? null : _since,
                FreeBytes = State == HostState.Ready ? Free : 16 * Bytes.GiB, InFlight = _busy, IdleSince = _idleSince,
                Promised = State == HostState.Starting ? _promised : [],
            };
        }
    }
}
