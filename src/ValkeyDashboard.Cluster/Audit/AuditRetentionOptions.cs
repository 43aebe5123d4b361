using System.ComponentModel.DataAnnotations;

namespace ValkeyDashboard.Cluster.Audit;

/// <summary>How much of the audit log is kept (<c>Dashboard:Audit</c>): entries older than the retention, and beyond the most entries, are deleted as new ones are written.</summary>
public sealed class AuditRetentionOptions
{
    public const string SectionName = "Dashboard:Audit";

    /// <summary>Days an entry is kept.</summary>
    [Range(1, 36_500)]
    public int RetentionDays { get; set; } = 90;

    /// <summary>Most entries kept; the oldest go first.</summary>
    [Range(1, 100_000_000)]
    public int MaxEntries { get; set; } = 100_000;
}
