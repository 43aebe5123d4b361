using System.Security.Cryptography;
using System.Text;

namespace ValkeyDashboard.Authentication;

/// <summary>How people and scripts sign in to the dashboard (<c>Dashboard:Auth</c>).</summary>
public sealed class DashboardAuthOptions
{
    public const string SectionName = "Dashboard:Auth";

    /// <summary><see cref="DashboardAuthMode.BrowserToken"/> (the default) or <see cref="DashboardAuthMode.None"/>, which only loopback URLs may use.</summary>
    public DashboardAuthMode Mode { get; set; } = DashboardAuthMode.BrowserToken;

    /// <summary>API tokens: <c>Authorization: Bearer &lt;token&gt;</c> for the REST API and the hub.</summary>
    public List<ApiToken> Tokens { get; set; } = [];

    /// <summary>How long a browser stays signed in without using the dashboard.</summary>
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromHours(12);

    /// <summary>How long a printed sign-in link works (once).</summary>
    public TimeSpan SignInLinkLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Whether signed-in browsers stay signed in when the dashboard restarts. Off by default: every start begins a new
    /// session epoch and the cookies of the one before stop working, so a restart ends every browser session.
    /// </summary>
    public bool KeepSessionsAcrossRestarts { get; set; }

    /// <summary>
    /// The configured token <paramref name="presented"/> is, or null. Compared in constant time (as SHA-256 hashes, so
    /// lengths do not show) against every token, whether or not an earlier one matched.
    /// </summary>
    public ApiToken? FindToken(string? presented)
    {
        if (presented is null)
        {
            return null;
        }

        var presentedHash = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        ApiToken? found = null;
        foreach (var token in Tokens)
        {
            if (CryptographicOperations.FixedTimeEquals(presentedHash, SHA256.HashData(Encoding.UTF8.GetBytes(token.Token))))
            {
                found ??= token;
            }
        }

        return found;
    }
}

public enum DashboardAuthMode
{
    /// <summary>Sign-in required: one-use links printed on the console for browsers, configured tokens for scripts.</summary>
    BrowserToken = 0,

    /// <summary>No sign-in: everyone is an operator. Refused at start-up unless every listening URL is loopback.</summary>
    None = 1,
}

/// <summary>A configured API token.</summary>
public sealed class ApiToken
{
    /// <summary>Who it is, as the audit log and the migration history record it.</summary>
    public string Name { get; set; } = string.Empty;

    public string Token { get; set; } = string.Empty;

    /// <summary><c>viewer</c> (read everything) or <c>operator</c> (also migrate and cancel).</summary>
    public string Role { get; set; } = DashboardRoles.Viewer;

    /// <summary>The clusters (names of <c>Valkey:Clusters</c>) it may use; empty: every cluster. Elsewhere it is refused with 403.</summary>
    public List<string> Clusters { get; set; } = [];
}

/// <summary>The roles and the policies built on them.</summary>
public static class DashboardRoles
{
    public const string Viewer = "viewer";
    public const string Operator = "operator";

    /// <summary>Policy: signed in with either role.</summary>
    public const string ViewPolicy = "view";

    /// <summary>Policy: signed in as an operator.</summary>
    public const string OperatePolicy = "operate";
}
