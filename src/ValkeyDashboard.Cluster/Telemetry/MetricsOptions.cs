using System.ComponentModel.DataAnnotations;

namespace ValkeyDashboard.Cluster.Telemetry;

/// <summary>The <c>Dashboard:Metrics</c> section: who may read <c>/metrics</c> and how many per-slot series it carries.</summary>
public sealed class MetricsOptions
{
    public const string SectionName = "Dashboard:Metrics";

    /// <summary>Whether <c>/metrics</c> answers without a token; by default it needs one with the viewer (or operator) role.</summary>
    public bool AllowAnonymous { get; set; }

    /// <summary>Per-slot series are exported for this many slots per figure (the largest), so their number is bounded however large the cluster.</summary>
    [Range(0, 1000)]
    public int TopSlots { get; set; } = 20;
}
