using System.Collections.Immutable;
using System.Globalization;
using ValkeyDashboard.Cluster.Parsing;

namespace ValkeyDashboard.Cluster.Model;

/// <summary>
/// What a node's server offers the dashboard. Decided from <c>INFO server</c> (product and version); the monitor may
/// narrow it with what the node actually answers (e.g. slot statistics disabled). The API names are in
/// <see cref="NodeCapabilityNames"/>.
/// </summary>
[Flags]
public enum NodeCapabilities
{
    None = 0,

    /// <summary><c>CLUSTER SHARDS</c> (Valkey 7.2+, Redis 7.0+).</summary>
    ClusterShards = 1 << 0,

    /// <summary><c>CLUSTER SLOT-STATS</c> with <c>key-count</c> (Valkey 8.0+).</summary>
    SlotStats = 1 << 1,

    /// <summary><c>CLUSTER SLOT-STATS</c> with <c>cpu-usec</c>, <c>network-bytes-in</c>/<c>-out</c> (Valkey 8.0+, when <c>cluster-slot-stats-enabled</c>).</summary>
    SlotStatsLoad = 1 << 2,

    /// <summary><c>CLUSTER MIGRATESLOTS</c>: atomic slot migration (Valkey 9.0+).</summary>
    AtomicSlotMigration = 1 << 3,

    /// <summary>The classic key-by-key move: <c>CLUSTER SETSLOT</c> + <c>MIGRATE ... KEYS</c> (every cluster server).</summary>
    KeyMigration = 1 << 4,
}

/// <summary>The server product a node runs.</summary>
public enum ServerProduct
{
    Unknown = 0,
    Valkey = 1,
    Redis = 2,
}

/// <summary>The capability names of the API (<c>"capabilities": [...]</c>) and how a server's INFO maps to capabilities.</summary>
public static class NodeCapabilityNames
{
    private static readonly (NodeCapabilities Flag, string Name)[] Names =
    [
        (NodeCapabilities.ClusterShards, "cluster-shards"),
        (NodeCapabilities.SlotStats, "slot-stats"),
        (NodeCapabilities.SlotStatsLoad, "slot-stats-load"),
        (NodeCapabilities.AtomicSlotMigration, "atomic-slot-migration"),
        (NodeCapabilities.KeyMigration, "key-migration"),
    ];

    /// <summary>The API names of <paramref name="capabilities"/>, in a fixed order.</summary>
    public static ImmutableArray<string> Of(NodeCapabilities capabilities) =>
        [.. Names.Where(n => capabilities.HasFlag(n.Flag)).Select(n => n.Name)];

    /// <summary>Valkey when INFO has <c>valkey_version</c> or <c>server_name:valkey</c>; Redis when it has only <c>redis_version</c>.</summary>
    public static ServerProduct ProductOf(InfoReply info) =>
        info["valkey_version"] is not null || string.Equals(info["server_name"], "valkey", StringComparison.OrdinalIgnoreCase)
            ? ServerProduct.Valkey
            : info["redis_version"] is not null ? ServerProduct.Redis : ServerProduct.Unknown;

    /// <summary>What a server of this product and version offers (before the monitor learns more from its answers).</summary>
    public static NodeCapabilities FromVersion(ServerProduct product, string? version)
    {
        if (product == ServerProduct.Unknown || !TryMajorMinor(version, out var major, out var minor))
        {
            return NodeCapabilities.None;
        }

        var capabilities = NodeCapabilities.KeyMigration;
        var atLeast = (int m, int n) => major > m || (major == m && minor >= n);
        if (product == ServerProduct.Valkey)
        {
            if (atLeast(7, 2)) capabilities |= NodeCapabilities.ClusterShards;
            if (atLeast(8, 0)) capabilities |= NodeCapabilities.SlotStats | NodeCapabilities.SlotStatsLoad;
            if (atLeast(9, 0)) capabilities |= NodeCapabilities.AtomicSlotMigration;
        }
        else if (atLeast(7, 0))
        {
            capabilities |= NodeCapabilities.ClusterShards;
        }

        return capabilities;
    }

    /// <summary>The capabilities INFO server implies.</summary>
    public static NodeCapabilities FromInfo(InfoReply info) => FromVersion(ProductOf(info), info.ServerVersion);

    /// <summary>
    /// <paramref name="capabilities"/> narrowed by what the node answered: without <see cref="NodeCapabilities.SlotStatsLoad"/>
    /// when its slot statistics carry no load metrics (<paramref name="reportsLoad"/> false); unchanged when unknown (null).
    /// </summary>
    public static NodeCapabilities Observed(NodeCapabilities capabilities, bool? reportsLoad) =>
        reportsLoad is false || !capabilities.HasFlag(NodeCapabilities.SlotStats) ? capabilities & ~NodeCapabilities.SlotStatsLoad : capabilities;

    /// <summary>
    /// Whether a <c>CLUSTER SLOT-STATS</c> reply carries the load metrics: an entry without <c>cpu-usec</c> means
    /// <c>cluster-slot-stats-enabled no</c>; an empty reply (no slots) cannot tell (null).
    /// </summary>
    public static bool? ReportsLoad(IReadOnlyCollection<SlotStatsEntry> reply) =>
        reply.Count == 0 ? null : reply.Any(e => e.CpuUsec is not null);

    /// <summary>"Redis 7.0.15", "Valkey 9.1.2"; the version alone when the product is unknown.</summary>
    public static string DisplayName(ServerProduct product, string? version) =>
        (product, version) switch
        {
            (_, null) => product == ServerProduct.Unknown ? "unknown server" : product.ToString(),
            (ServerProduct.Unknown, _) => version,
            _ => $"{product} {version}",
        };

    private static bool TryMajorMinor(string? version, out int major, out int minor)
    {
        major = minor = 0;
        if (string.IsNullOrEmpty(version))
        {
            return false;
        }

        var parts = version.Split('.');
        return int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out major) &&
               (parts.Length < 2 || int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out minor));
    }
}
