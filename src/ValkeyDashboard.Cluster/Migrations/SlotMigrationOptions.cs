using System.ComponentModel.DataAnnotations;

namespace ValkeyDashboard.Cluster.Migrations;

/// <summary>How closely migrations are followed, and how many may run (the <c>Migrations</c> section).</summary>
public sealed class SlotMigrationOptions
{
    public const string SectionName = "Migrations";

    /// <summary>How often running jobs' states are read (<c>CLUSTER GETSLOTMIGRATIONS</c>, cheap).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00")]
    public TimeSpan TrackInterval { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>How often key and byte progress is measured (<c>COUNTKEYSINSLOT</c> over the job's slots).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How long a cancel request waits for Valkey to confirm before answering with the current state.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan CancelConfirmationTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a job may stay unobservable (source and target both silent) before ownership decides its outcome.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan LostJobTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Most migrations running at once in the cluster (a migration with two sources counts once). More would compete
    /// for the same nodes' CPU and network and make each slower; a start beyond it is refused (409).
    /// </summary>
    [Range(1, 100)]
    public int MaxConcurrentMigrations { get; set; } = 4;
}
