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

    public RateLimitOptions RateLimit { get; set; } = new();
}

/// <summary>The <c>Dashboard:RateLimit</c> section.</summary>
public sealed class RateLimitOptions
{
    /// <summary>Requests per minute per client on the endpoints that change something or cost the cluster work.</summary>
    [Range(1, 1_000_000)]
    public int MutationsPerMinute { get; set; } = 60;
}
