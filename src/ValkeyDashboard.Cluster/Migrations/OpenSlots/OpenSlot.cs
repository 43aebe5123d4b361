using System.Collections.Immutable;
using ValkeyDashboard.Cluster.Migrations.Keys;

namespace ValkeyDashboard.Cluster.Migrations.OpenSlots;

/// <summary>A primary that reports a slot open, and the node its mark names.</summary>
/// <param name="Id">The reporting primary.</param>
/// <param name="Endpoint">Where it is reached.</param>
/// <param name="PeerId">The node it migrates to (migrating) or imports from (importing).</param>
public sealed record OpenSlotNode(string Id, string Endpoint, string PeerId)
{
    public NodeAddress Address => new(Id, Endpoint);
}

/// <summary>
/// A slot left open by a key-by-key move (<c>CLUSTER SETSLOT … MIGRATING</c>/<c>IMPORTING</c> not closed by a
/// <c>SETSLOT NODE</c>): a move that failed, was interrupted, or is running right now.
/// </summary>
/// <param name="Slot">The slot.</param>
/// <param name="OwnerId">The primary that serves the slot (by its own view), if any.</param>
/// <param name="Migrating">Primaries that report it migrating (the owner, normally one).</param>
/// <param name="Importing">Primaries that report it importing (normally one).</param>
public sealed record OpenSlot(int Slot, string? OwnerId, ImmutableArray<OpenSlotNode> Migrating, ImmutableArray<OpenSlotNode> Importing)
{
    public override string ToString() =>
        $"slot {Slot}: migrating on {Describe(Migrating)}, importing on {Describe(Importing)}";

    private static string Describe(ImmutableArray<OpenSlotNode> nodes) => nodes.IsEmpty ? "none" : string.Join(", ", nodes.Select(n => n.Endpoint));
}
