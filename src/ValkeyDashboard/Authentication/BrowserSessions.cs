using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace ValkeyDashboard.Authentication;

/// <summary>
/// The session epoch every sign-in cookie carries: a new one at each start (so a restart ends every browser session,
/// as the Aspire Dashboard's do), or, with <see cref="DashboardAuthOptions.KeepSessionsAcrossRestarts"/>, one kept in
/// <c>&lt;KeysDirectory&gt;/session-epoch</c> (owner-only); deleting that file and restarting then ends them all.
/// </summary>
public sealed class BrowserSessions
{
    /// <summary>The cookie's claim that holds the epoch.</summary>
    public const string EpochClaim = "session-epoch";

    public BrowserSessions(IOptions<DashboardAuthOptions> auth, IOptions<DashboardOptions> dashboard)
    {
        Epoch = auth.Value.KeepSessionsAcrossRestarts
            ? LoadOrCreate(Path.Combine(dashboard.Value.KeysDirectory!, "session-epoch"))
            : NewEpoch();
    }

    public string Epoch { get; }

    public Claim Claim => new(EpochClaim, Epoch);

    public bool IsCurrent(ClaimsPrincipal? principal) => principal?.FindFirst(EpochClaim)?.Value == Epoch;

    private static string NewEpoch() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    private static string LoadOrCreate(string path)
    {
        // Whoever could write it could keep their session alive across the restarts meant to end it.
        Cluster.Storage.PrivateFiles.CheckTrusted(path, "session epoch file");
        if (File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } kept)
        {
            return kept;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var epoch = NewEpoch();
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var file = new StreamWriter(path, System.Text.Encoding.ASCII, options))
        {
            file.Write(epoch);
        }

        return epoch;
    }
}
