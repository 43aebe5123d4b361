using System.ComponentModel.DataAnnotations;

namespace ValkeyDashboard.Cluster.Load;

/// <summary>The demo load (the <c>Dashboard:Load</c> section): defaults of a start request, its caps, and whether it may run on an existing cluster.</summary>
public sealed class DemoLoadOptions
{
    public const string SectionName = "Dashboard:Load";

    /// <summary>Allow the demo load in External mode (it writes <c>demo:</c> keys into the cluster); off by default.</summary>
    public bool AllowExternal { get; set; }

    [Range(1, 100_000_000)]
    public int DefaultKeys { get; set; } = 100_000;

    [Range(1, 1_048_576)]
    public int DefaultValueBytes { get; set; } = 100;

    [Range(1, 1_000_000)]
    public int DefaultOpsPerSecond { get; set; } = 5_000;

    [Range(1, 86_400)]
    public int DefaultDurationSeconds { get; set; } = 300;

    /// <summary>Most keys a load may write.</summary>
    [Range(1, 100_000_000)]
    public int MaxKeys { get; set; } = 1_000_000;

    /// <summary>Largest value a load may write.</summary>
    [Range(1, 1_048_576)]
    public int MaxValueBytes { get; set; } = 16_384;

    /// <summary>Highest rate a load may ask for.</summary>
    [Range(1, 1_000_000)]
    public int MaxOpsPerSecond { get; set; } = 20_000;

    /// <summary>Longest a load may run.</summary>
    [Range(1, 86_400)]
    public int MaxDurationSeconds { get; set; } = 3_600;
}
