using System.ComponentModel.DataAnnotations;

namespace ValkeyDashboard;

/// <summary>The web host's own settings (the <c>Dashboard</c> section; <c>Dashboard:Auth</c> and <c>Dashboard:DatabasePath</c> have their own classes).</summary>
public sealed class DashboardOptions
{
    public const string SectionName = "Dashboard";

    /// <summary>The dashboard's rolling log files (<c>dashboard-YYYYMMDD.log</c>); relative paths are from the working directory.</summary>
    [Required]
    public string LogDirectory { get; set; } = ".data/logs";

    /// <summary>ASP.NET data-protection keys, so open pages and sign-in cookies survive a restart of the dashboard.</summary>
    [Required]
    public string KeysDirectory { get; set; } = ".data/keys";

    public RateLimitOptions RateLimit { get; set; } = new();
}

/// <summary>The <c>Dashboard:RateLimit</c> section.</summary>
public sealed class RateLimitOptions
{
    /// <summary>Requests per minute per client on the endpoints that change something or cost the cluster work.</summary>
    [Range(1, 1_000_000)]
    public int MutationsPerMinute { get; set; } = 60;
}
