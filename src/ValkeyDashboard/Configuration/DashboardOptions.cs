using System.ComponentModel.DataAnnotations;

namespace ValkeyDashboard;

/// <summary>The web host's own settings (the <c>Dashboard</c> section; <c>Dashboard:Auth</c>, <c>Dashboard:DataDirectory</c> and <c>Dashboard:DatabasePath</c> have their own classes).</summary>
public sealed class DashboardOptions
{
    public const string SectionName = "Dashboard";

    /// <summary>
    /// The dashboard's rolling log files (<c>dashboard-YYYYMMDD.log</c>): <c>logs</c> in <c>Dashboard:DataDirectory</c> unless set;
    /// a relative path is from the content root. Absolute once the options are resolved.
    /// </summary>
    public string? LogDirectory { get; set; }

    /// <summary>
    /// ASP.NET data-protection keys, so open pages and sign-in cookies survive a restart of the dashboard: <c>keys</c> in
    /// <c>Dashboard:DataDirectory</c> unless set; a relative path is from the content root. Absolute once the options are resolved.
    /// </summary>
    public string? KeysDirectory { get; set; }

    /// <summary>A log file that reaches this size is continued in a new one (<c>dashboard-YYYYMMDD_001.log</c>), so a flood of requests never silences the log.</summary>
    [Range(1024, long.MaxValue)]
    public long LogFileSizeLimitBytes { get; set; } = 50L * 1024 * 1024;

    /// <summary>Log files kept; older ones are deleted (with <see cref="LogFileSizeLimitBytes"/>, what the logs may take on disk).</summary>
    [Range(1, 1000)]
    public int LogFilesKept { get; set; } = 30;

    public RateLimitOptions RateLimit { get; set; } = new();

    /// <summary>
    /// With more primaries than this, the page lists nodes in a compact table instead of a card per primary (a
    /// toggle switches between them at any size).
    /// </summary>
    [Range(0, 1000)]
    public int NodeTableAbovePrimaries { get; set; } = 12;
}

/// <summary>The <c>Dashboard:RateLimit</c> section.</summary>
public sealed class RateLimitOptions
{
    /// <summary>Requests per minute per client on the endpoints that change something or cost the cluster work.</summary>
    [Range(1, 1_000_000)]
    public int MutationsPerMinute { get; set; } = 60;

    /// <summary>Sign-in attempts (<c>/login</c> with a token) per minute per client address; more get 429 before anything is checked or audited.</summary>
    [Range(1, 1_000_000)]
    public int SignInAttemptsPerMinute { get; set; } = 20;

    /// <summary>Requests that wait for a migration or plan to finish (<c>?wait=N</c>) one client may have open at once; more get 429.</summary>
    [Range(1, 10_000)]
    public int WaitsPerClient { get; set; } = 8;

    /// <summary>Hub connections of one client that may watch slot statistics at once; more are refused (429).</summary>
    [Range(1, 10_000)]
    public int SlotStatisticsWatchersPerClient { get; set; } = 4;
}
