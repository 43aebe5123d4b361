using System.ComponentModel.DataAnnotations;

namespace ValkeyDashboard.Cluster.Plans;

/// <summary>How plans measure load and how careful they are (the <c>Plans</c> section).</summary>
public sealed class PlanOptions
{
    public const string SectionName = "Plans";

    /// <summary>CPU and network per slot are averaged over this window, so one noisy second does not drive a plan.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")]
    public TimeSpan LoadWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Share of a target's <c>maxmemory</c> a plan keeps free after its moves.</summary>
    [Range(0.0, 0.9)]
    public double MemoryHeadroom { get; set; } = 0.2;

    /// <summary>Default threshold: how far (share of its target) a primary may end from its target.</summary>
    [Range(0.0, 0.5)]
    public double DefaultThreshold { get; set; } = 0.02;

    /// <summary>Keys sampled per slot (<c>MEMORY USAGE</c>) to estimate its memory.</summary>
    [Range(1, 100)]
    public int MemorySampleKeysPerSlot { get; set; } = 8;

    /// <summary>Slots sampled per second by the memory estimator, so sampling never hammers the cluster.</summary>
    [Range(1, 10_000)]
    public int MemorySampleSlotsPerSecond { get; set; } = 50;

    /// <summary>How old a slot's memory sample may get before it is taken again.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")]
    public TimeSpan MemorySampleMaxAge { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often a running plan's state is looked at and published (at least twice a second).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:00.500")]
    public TimeSpan RunInterval { get; set; } = TimeSpan.FromMilliseconds(200);
}
