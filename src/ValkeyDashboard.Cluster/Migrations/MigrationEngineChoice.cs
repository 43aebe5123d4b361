using System.Collections.Immutable;
using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.Cluster.Migrations;

/// <summary>Which engine a migration request asks for. Values are part of the wire contract.</summary>
public enum MigrationEngineKind
{
    /// <summary>Atomic when every node involved has it, key-by-key otherwise.</summary>
    Auto = 0,

    /// <summary>Valkey 9's atomic slot migration (<c>CLUSTER MIGRATESLOTS</c>).</summary>
    Atomic = 1,

    /// <summary>The classic key-by-key move (<c>SETSLOT</c> + <c>MIGRATE … KEYS</c>), which every server has.</summary>
    Keys = 2,
}

/// <summary>Picks the engine of a migration from the request and the nodes' capabilities; pure.</summary>
public static class MigrationEngineChoice
{
    public const string Atomic = "atomic";

    public const string Keys = "keys";

    /// <summary>What clients see while the key-by-key engine moves a slot, for the preflight.</summary>
    public static readonly ImmutableArray<string> KeyByKeyClientEffects =
    [
        "clients get ASK redirections for keys of a moving slot that have already reached the target (cluster clients follow them)",
        "multi-key commands (MGET, MSET, transactions, scripts) over keys of a moving slot that are split between the two nodes fail with TRYAGAIN until the slot has moved",
        "each MIGRATE blocks the source while its batch moves: a very big key holds every client of the source for as long as it takes",
    ];

    /// <summary>The request's <c>engine</c> text: <c>auto</c> (also when absent), <c>atomic</c> or <c>keys</c>; anything else is refused (400).</summary>
    public static MigrationEngineKind Parse(string? engine) =>
        string.IsNullOrEmpty(engine) ? MigrationEngineKind.Auto
        : engine.ToLowerInvariant() switch
        {
            "auto" => MigrationEngineKind.Auto,
            Atomic => MigrationEngineKind.Atomic,
            Keys => MigrationEngineKind.Keys,
            _ => throw RequestRefusedException.Invalid($"engine must be \"auto\", \"atomic\" or \"keys\", got \"{Text.ErrorText.Clip(engine, 32)}\""),
        };

    /// <summary>
    /// The engine that runs a migration between <paramref name="target"/> and <paramref name="sources"/>: atomic when
    /// every one of them has atomic slot migration (auto) or when asked (refused with 409 naming a node without it),
    /// key-by-key when asked or when some node lacks atomic migration.
    /// </summary>
    public static string Choose(MigrationEngineKind kind, ClusterNode target, IEnumerable<ClusterNode> sources)
    {
        var lacking = sources.Prepend(target).FirstOrDefault(n => !n.Capabilities.HasFlag(NodeCapabilities.AtomicSlotMigration));
        return kind switch
        {
            MigrationEngineKind.Keys => Keys,
            MigrationEngineKind.Atomic when lacking is not null => throw RequestRefusedException.Conflict(
                $"{lacking.Endpoint} runs {Describe(lacking)}, which has no atomic slot migration (Valkey 9.0 or newer has it); " +
                "ask for \"engine\": \"keys\" or \"auto\" to move the slots key by key"),
            MigrationEngineKind.Atomic => Atomic,
            _ => lacking is null ? Atomic : Keys,
        };
    }

    private static string Describe(ClusterNode node) =>
        $"{(node.Product == ServerProduct.Unknown ? "a server" : node.Product.ToString())} {node.Version ?? "(unknown version)"}";
}
