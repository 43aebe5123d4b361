using ValkeyDashboard.Cluster.Hosting;
using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.IntegrationTests.Infrastructure;

/// <summary>
/// A kind of server the tests run clusters of: Valkey 9 (what the dashboard itself needs) and the older servers operators
/// run (Valkey 8.0, Redis 7.0, Redis 8.0), each a private copy that <c>eng/get-server.sh &lt;kind&gt;</c> puts under
/// <c>.tools/</c>. The binaries are found through <see cref="EnvironmentVariable"/> (which <c>eng/test.sh</c> exports), else
/// <c>&lt;repo&gt;/.tools/&lt;folder&gt;/bin</c>; when neither has them, using the kind fails with how to get them (never a skip).
/// </summary>
public sealed record ServerKind(string Name, ServerProduct Product, string ReleaseLine, string ToolPrefix, string EnvironmentVariable, string ToolsFolder)
{
    public static readonly ServerKind Valkey9 = new("valkey9", ServerProduct.Valkey, "9.", "valkey", "VALKEY9_BIN_DIR", "valkey");

    public static readonly ServerKind Valkey8 = new("valkey8", ServerProduct.Valkey, "8.0.", "valkey", "VALKEY8_BIN_DIR", "valkey8");

    public static readonly ServerKind Redis7 = new("redis7", ServerProduct.Redis, "7.0.", "redis", "REDIS7_BIN_DIR", "redis7");

    public static readonly ServerKind Redis8 = new("redis8", ServerProduct.Redis, "8.0.", "redis", "REDIS8_BIN_DIR", "redis8");

    /// <summary>The folder holding the kind's server and CLI; throws with how to get them when they are not there.</summary>
    public string BinDirectory
    {
        get
        {
            if (this == Valkey9 && Environment.GetEnvironmentVariable(EnvironmentVariable) is not { Length: > 0 })
            {
                // The same search the dashboard's embedded cluster makes (private copy, then PATH).
                return Path.GetDirectoryName(ValkeyInstallation.Locate(null).ServerPath)!;
            }

            var directory = Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } configured
                ? configured
                : Path.Combine(TestDirectories.RepositoryRoot(), ".tools", ToolsFolder, "bin");
            return File.Exists(Path.Combine(directory, ServerName))
                ? directory
                : throw new InvalidOperationException(
                    $"{ServerName} for the {Name} tests is not in {directory}. Run eng/get-server.sh {Name} (eng/test.sh does), " +
                    $"or set {EnvironmentVariable} to a folder that has {ServerName} and {CliName}.");
        }
    }

    public string ServerName => $"{ToolPrefix}-server";

    public string CliName => $"{ToolPrefix}-cli";

    public string ServerPath => Path.Combine(BinDirectory, ServerName);

    public string CliPath => Path.Combine(BinDirectory, CliName);

    /// <summary>Whether the kind has <c>CLUSTER SLOT-STATS</c> and its <c>cluster-slot-stats-enabled</c> setting (Valkey 8.0+).</summary>
    public bool HasSlotStats => Product == ServerProduct.Valkey;

    /// <summary>The version <c>&lt;server&gt; --version</c> reports, e.g. 7.0.15.</summary>
    public string ReadVersion() => ValkeyInstallation.ReadVersion(ServerPath).ToString();

    public override string ToString() => Name;
}
