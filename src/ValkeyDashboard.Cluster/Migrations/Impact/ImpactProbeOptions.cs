using System.ComponentModel.DataAnnotations;

namespace ValkeyDashboard.Cluster.Migrations.Impact;

/// <summary>The client-impact probe that runs beside every migration (the <c>Dashboard:Probe</c> section).</summary>
public sealed class ImpactProbeOptions
{
    public const string SectionName = "Dashboard:Probe";

    /// <summary>Probe every migration (false: migrations carry no impact).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Probe operations per second per running migration (GET and SET, half on keys of the moving slots, half
    /// elsewhere). Small on purpose: the probe must cost the cluster well under 1% of its throughput.
    /// </summary>
    [Range(1, 1000)]
    public int OpsPerSecond { get; set; } = 20;

    /// <summary>Probe keys in the moving slots (spread over them) and as many elsewhere.</summary>
    [Range(1, 64)]
    public int KeysPerSide { get; set; } = 4;

    /// <summary>Probe keys expire after this unless rewritten, so none outlives a dashboard that stopped mid-migration.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan KeyTtl { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a write to a moving slot is retried after errors before it counts as lost.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan WriteRetryFor { get; set; } = TimeSpan.FromSeconds(10);
}
