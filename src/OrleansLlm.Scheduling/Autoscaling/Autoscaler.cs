using System.Globalization;

namespace OrleansLlm.Scheduling.Autoscaling;

/// <summary>
/// The autoscaler's decisions, as one pure function of the fleet at a tick (README "Autoscaling").
/// Scale out on the cluster's own signal — models that fit on no running host — by just enough
/// hosts: the models are packed first-fit-decreasing over the free memory of ready hosts and of
/// hosts already starting, and only what is left opens new hosts, each of the cheapest type that
/// holds the largest model left; the models a host is started for keep its room until it is ready.
/// Scale in one idle host at a time, never while scaling out, and only when what it holds that is
/// still wanted fits elsewhere. A start that never becomes ready is given up and its type backed
/// off, so a missing GPU never wedges the rest.
/// </summary>
public static class Autoscaler
{
    public static ScaleDecision Decide(FleetView fleet, AutoscalerSettings settings, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        ArgumentNullException.ThrowIfNull(settings);
        var types = fleet.Types.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var actions = new List<ScaleAction>();
        var running = fleet.Hosts.Count(h => h.State is HostState.Starting or HostState.Ready);

        var givenUp = GiveUpLateStarts(fleet, settings, now, actions);
        var live = fleet.Hosts.Where(h => h.State is HostState.Starting or HostState.Ready && !givenUp.Contains(h.Id)).ToList();
        bool BackedOff(string type) =>
            (fleet.Backoff.TryGetValue(type, out var b) && b.Until > now) || actions.OfType<GiveUpHost>().Any(g => g.HostType == type);

        var unmet = new List<string>();
        var starts = ScaleOut(fleet, settings, types, live, BackedOff, unmet);
        actions.AddRange(starts);

        // Never while scaling out (a host is starting, or demand is waiting for one): Knative's
        // panic rule, and the flip-flop a fresh host would otherwise cause.
        var scalingOut = starts.Count > 0 || live.Any(h => h.State == HostState.Starting) || fleet.Demand.Any(d => d.FitsOn.Count > 0);
        if (!scalingOut && ScaleIn(fleet, settings, types, live, now) is { } stop)
            actions.Add(stop);

        var desired = live.Count + starts.Count - actions.OfType<StopHost>().Count();
        return new ScaleDecision(actions, running, desired, unmet);
    }

    /// <summary>The back-off of a type after its <paramref name="failures"/>-th failed start in a row: doubled each time, capped, with up to a quarter more as jitter (stable per host and failure, so decisions replay).</summary>
    public static TimeSpan BackoffFor(string hostId, int failures, AutoscalerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var doubled = settings.Backoff.Ticks * Math.Pow(2, Math.Clamp(failures - 1, 0, 30));
        var capped = Math.Min(doubled, settings.MaxBackoff.Ticks);
        return TimeSpan.FromTicks((long)(capped * (1 + (0.25 * StableFraction($"{hostId}/{failures}")))));
    }

    private static HashSet<string> GiveUpLateStarts(FleetView fleet, AutoscalerSettings settings, DateTimeOffset now, List<ScaleAction> actions)
    {
        var givenUp = new HashSet<string>(StringComparer.Ordinal);
        var failures = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var host in fleet.Hosts.Where(h => h.State == HostState.Starting).OrderBy(h => h.Id, StringComparer.Ordinal))
        {
            if (host.StartedAt is not { } started || now - started < settings.StartTimeout)
                continue;
            var count = failures[host.Type] = failures.GetValueOrDefault(host.Type, fleet.Backoff.TryGetValue(host.Type, out var b) ? b.Failures : 0) + 1;
            var retryAfter = now + BackoffFor(host.Id, count, settings);
            actions.Add(new GiveUpHost(host.Id, host.Type, retryAfter,
                $"not ready {Duration(now - started)} after its start (start timeout {Duration(settings.StartTimeout)}); no {host.Type} start before {retryAfter.ToString("u", CultureInfo.InvariantCulture)} ({count} failed in a row)"));
            givenUp.Add(host.Id);
        }
        return givenUp;
    }

    private static List<StartHost> ScaleOut(FleetView fleet, AutoscalerSettings settings, Dictionary<string, HostType> types,
        List<FleetHost> live, Func<string, bool> backedOff, List<string> unmet)
    {
        // Room the demand can use without a new host: ready hosts' free memory, and what a starting
        // host's models promised at its start leave of its memory. A promised model waits for its
        // host; packed again, a larger model reported later could push it onto yet another start.
        var bins = live.Select(h => new Bin(h.Type, h.State == HostState.Ready || !types.TryGetValue(h.Type, out var t)
            ? h.FreeBytes
            : Math.Max(0, t.TotalMemory - h.Promised.Sum(m => m.Bytes)))).ToList();
        var promised = live.Where(h => h.State == HostState.Starting).SelectMany(h => h.Promised).Select(m => m.Model).ToHashSet(StringComparer.Ordinal);
        var starting = live.Count(h => h.State == HostState.Starting);
        var perType = live.GroupBy(h => h.Type).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        // The slot stopped longest ago first: a host is not stopped and started again at once.
        var stopped = new Queue<FleetHost>(fleet.Hosts.Where(h => h.State == HostState.Stopped)
            .OrderBy(h => h.StoppedAt ?? DateTimeOffset.MinValue).ThenBy(h => h.Id, StringComparer.Ordinal));
        var taken = new HashSet<string>(StringComparer.Ordinal);
        var opened = new List<(FleetHost Slot, Bin Bin)>();

        foreach (var load in fleet.Demand.Where(d => !promised.Contains(d.Model)).OrderByDescending(d => d.Bytes).ThenBy(d => d.Model, StringComparer.Ordinal))
        {
            if (load.FitsOn.Count == 0)
            {
                unmet.Add($"{load.Model} ({Bytes.Format(load.Bytes)}): no host type holds it");
                continue;
            }
            if (bins.FirstOrDefault(b => load.FitsOn.Contains(b.Type) && b.Free >= load.Bytes) is { } bin)
            {
                bin.Take(load);
                continue;
            }
            if (live.Count + opened.Count >= settings.MaxHosts)
            {
                unmet.Add($"{load.Model}: the fleet is at its {settings.MaxHosts} hosts (max hosts)");
                continue;
            }
            if (starting + opened.Count >= settings.MaxConcurrentStarts)
            {
                unmet.Add($"{load.Model}: {settings.MaxConcurrentStarts} hosts are starting already (max concurrent starts)");
                continue;
            }
            var why = new List<string>();
            FleetHost? slot = null;
            foreach (var type in load.FitsOn.Where(types.ContainsKey).Select(n => types[n])
                         .OrderBy(t => t.CostPerHour).ThenBy(t => t.TotalMemory).ThenBy(t => t.Name, StringComparer.Ordinal))
            {
                if (backedOff(type.Name))
                    why.Add($"{type.Name} is backed off after failed starts");
                else if (settings.MaxHostsPerType.TryGetValue(type.Name, out var cap) && perType.GetValueOrDefault(type.Name) >= cap)
                    why.Add($"{type.Name} is at its quota of {cap}");
                else if (stopped.FirstOrDefault(h => h.Type == type.Name && !taken.Contains(h.Id)) is { } free)
                {
                    slot = free;
                    break;
                }
                else
                    why.Add($"no stopped {type.Name} host is left in the pool");
            }
            if (slot is null)
            {
                unmet.Add($"{load.Model}: {string.Join("; ", why)}");
                continue;
            }
            taken.Add(slot.Id);
            perType[slot.Type] = perType.GetValueOrDefault(slot.Type) + 1;
            var opening = new Bin(slot.Type, types[slot.Type].TotalMemory);
            opening.Take(load);
            bins.Add(opening);
            opened.Add((slot, opening));
        }

        return [.. opened.Select(o => new StartHost(o.Slot.Id, o.Slot.Type,
            $"{string.Join(", ", o.Bin.Models.Select(m => m.Model))} ({Bytes.Format(o.Bin.Used)}) fit on no ready or starting host; the cheapest host type that holds them is {o.Slot.Type}",
            o.Bin.Models))];
    }

    private static StopHost? ScaleIn(FleetView fleet, AutoscalerSettings settings, Dictionary<string, HostType> types, List<FleetHost> live, DateTimeOffset now)
    {
        if (fleet.Hosts.Any(h => h.State == HostState.Stopping))
            return null; // one host at a time
        if (fleet.LastScaleOut is { } last && now - last < settings.ScaleInDelay)
            return null;
        if (fleet.LastDemand is { } demanded && now - demanded < settings.ScaleInDelay)
            return null;
        var ready = live.Where(h => h.State == HostState.Ready).ToList();
        if (ready.Count <= settings.MinHosts)
            return null;
        var idleFor = ready.Count == 1 ? settings.IdleToZeroDelay : settings.ScaleInDelay;
        var candidates = ready
            .Where(h => h.InFlight == 0 && h.QueuedLoads == 0 && h.IdleSince is { } idle && now - idle >= idleFor)
            .Where(h => h.StartedAt is not { } started || now - started >= settings.MinHostLifetime)
            .OrderByDescending(h => types.TryGetValue(h.Type, out var t) ? t.CostPerHour : 0)
            .ThenBy(h => h.IdleSince)
            .ThenBy(h => h.Id, StringComparer.Ordinal);
        foreach (var host in candidates)
        {
            var others = ready.Where(h => h.Id != host.Id).Select(h => new Bin(h.Type, h.FreeBytes)).ToList();
            var homeless = host.Wanted.OrderByDescending(m => m.Bytes).FirstOrDefault(m =>
            {
                if (others.FirstOrDefault(b => b.Free >= m.Bytes) is not { } bin)
                    return true;
                bin.Free -= m.Bytes;
                return false;
            });
            if (homeless is not null)
                continue; // what it holds that is still wanted has nowhere else to go
            var moving = host.Wanted.Count == 0 ? "it holds nothing still wanted" : $"its wanted {string.Join(", ", host.Wanted.Select(m => m.Model))} fit on the other hosts";
            var delay = ready.Count == 1 ? $"idle-to-zero delay {Duration(settings.IdleToZeroDelay)}" : $"scale-in delay {Duration(settings.ScaleInDelay)}";
            return new StopHost(host.Id, $"idle for {Duration(now - host.IdleSince!.Value)} ({delay}); {moving}");
        }
        return null;
    }

    private static string Duration(TimeSpan span) =>
        span.TotalMinutes >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalMinutes:0.#} min")
            : string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.#} s");

    /// <summary>A number in [0, 1) from a string, the same in every process (FNV-1a).</summary>
    private static double StableFraction(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
            hash = (hash ^ c) * 16777619u;
        return hash / (double)uint.MaxValue;
    }

    /// <summary>A host's room as the packing fills it.</summary>
    private sealed class Bin(string type, long free)
    {
        public string Type { get; } = type;

        public long Free { get; set; } = free;

        public long Used { get; private set; }

        public List<WantedModel> Models { get; } = [];

        public void Take(UnplaceableLoad load)
        {
            Free -= load.Bytes;
            Used += load.Bytes;
            Models.Add(new WantedModel(load.Model, load.Bytes));
        }
    }
}
