using OrleansLlm.Scheduling.Eviction;
using OrleansLlm.Scheduling.KeepAlive;
using OrleansLlm.Scheduling.Placement;

namespace OrleansLlm.Scheduling.Tests;

public class SeedEvictionTests
{
    [Fact]
    public void Idle_model_with_shortest_keep_alive_is_evicted_first()
    {
        LoadedRunner[] runners =
        [
            Runner("a", KeepAliveDuration.From(TimeSpan.FromHours(1))),
            Runner("b", KeepAliveDuration.From(TimeSpan.FromMinutes(2))),
            Runner("c", KeepAliveDuration.Default),
        ];

        Assert.Equal("b", SeedEviction.FindRunnerToUnload(runners)!.ModelPath);
    }

    [Fact]
    public void A_busy_model_is_passed_over_for_an_idle_one_with_a_longer_keep_alive()
    {
        LoadedRunner[] runners =
        [
            Runner("short-but-busy", KeepAliveDuration.From(TimeSpan.FromMinutes(1)), refs: 2),
            Runner("long-idle", KeepAliveDuration.From(TimeSpan.FromHours(5))),
        ];

        Assert.Equal("long-idle", SeedEviction.FindRunnerToUnload(runners)!.ModelPath);
    }

    [Fact]
    public void Forever_sorts_last()
    {
        LoadedRunner[] runners = [Runner("pinned", KeepAliveDuration.Forever), Runner("day", KeepAliveDuration.From(TimeSpan.FromDays(1)))];

        Assert.Equal("day", SeedEviction.FindRunnerToUnload(runners)!.ModelPath);
    }

    [Fact]
    public void Ties_are_broken_by_model_path()
    {
        LoadedRunner[] runners = [Runner("/m/zeta", KeepAliveDuration.Default), Runner("/m/alpha", KeepAliveDuration.Default)];

        Assert.Equal("/m/alpha", SeedEviction.FindRunnerToUnload(runners)!.ModelPath);
    }

    [Fact]
    public void When_all_are_busy_the_first_in_order_is_named_to_unload_once_idle()
    {
        LoadedRunner[] runners = [Runner("x", KeepAliveDuration.Default, refs: 1), Runner("y", KeepAliveDuration.Zero, refs: 3)];

        Assert.Equal("y", SeedEviction.FindRunnerToUnload(runners)!.ModelPath);
    }

    [Fact]
    public void Nothing_loaded_nothing_to_evict() => Assert.Null(SeedEviction.FindRunnerToUnload([]));

    internal static LoadedRunner Runner(string path, KeepAliveDuration keepAlive, int refs = 0, long gib = 1, string gpu = "0") => new()
    {
        ModelPath = path,
        KeepAlive = keepAlive,
        RefCount = refs,
        TotalBytes = gib * Bytes.GiB,
        VramByGpu = new Dictionary<string, long> { [gpu] = gib * Bytes.GiB },
    };
}
