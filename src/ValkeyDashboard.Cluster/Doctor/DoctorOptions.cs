using System.ComponentModel.DataAnnotations;

namespace ValkeyDashboard.Cluster.Doctor;

/// <summary>The cluster doctor's settings (the <c>Dashboard:Doctor</c> section).</summary>
public sealed class DoctorOptions
{
    public const string SectionName = "Dashboard:Doctor";

    /// <summary>An atomic migration job whose state has not changed for this long counts as stalled.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00", ErrorMessage = "Dashboard:Doctor:StalledMigrationAfter must be between 1 second and 7 days.")]
    public TimeSpan StalledMigrationAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the doctor looks at the cluster by itself (pages and hub clients hear of changed findings).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "Dashboard:Doctor:CheckInterval must be between 1 second and 1 hour.")]
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromSeconds(15);
}
