namespace ValkeyDashboard.Cluster.Storage;

/// <summary>The <c>Dashboard:DataDirectory</c> setting: the one folder the dashboard writes to.</summary>
public sealed class DataDirectoryOptions
{
    /// <summary>The section this binds from (the key is <c>Dashboard:DataDirectory</c>).</summary>
    public const string SectionName = "Dashboard";

    /// <summary>
    /// Where the database, the data-protection keys, the logs and the embedded cluster live unless their own setting
    /// says otherwise (<c>Dashboard:DatabasePath</c>, <c>Dashboard:KeysDirectory</c>, <c>Dashboard:LogDirectory</c>,
    /// <c>Valkey:Embedded:DataDirectory</c>); a relative path is from the content root.
    /// </summary>
    public string DataDirectory { get; set; } = ".data";
}
