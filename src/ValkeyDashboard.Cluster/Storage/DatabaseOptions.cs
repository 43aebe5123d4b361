namespace ValkeyDashboard.Cluster.Storage;

/// <summary>Where the dashboard keeps its history and audit log (<c>Dashboard:DatabasePath</c>).</summary>
public sealed class DatabaseOptions
{
    /// <summary>The section this binds from (the key is <c>Dashboard:DatabasePath</c>).</summary>
    public const string SectionName = "Dashboard";

    /// <summary>
    /// The SQLite file with the migration history and the audit log: <c>dashboard.db</c> in <c>Dashboard:DataDirectory</c>
    /// unless set; a relative path is from the content root. Absolute once the options are resolved.
    /// </summary>
    public string? DatabasePath { get; set; }
}
