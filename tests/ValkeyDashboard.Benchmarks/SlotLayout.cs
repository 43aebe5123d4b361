using System.Collections.Immutable;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Parsing;

namespace ValkeyDashboard.Benchmarks;

/// <summary>Which primary owns each of the 16,384 slots, and where every node listens, as one node's <c>CLUSTER SHARDS</c> says.</summary>
internal sealed class SlotLayout
{
    private readonly string?[] _owners;

    private SlotLayout(string?[] owners, ImmutableDictionary<string, string> endpoints, ImmutableArray<string> primaries)
    {
        _owners = owners;
        Endpoints = endpoints;
        Primaries = primaries;
    }

    /// <summary>Every node's endpoint by node id, replicas included.</summary>
    public ImmutableDictionary<string, string> Endpoints { get; }

    /// <summary>The ids of the serving primaries.</summary>
    public ImmutableArray<string> Primaries { get; }

    public static SlotLayout From(ImmutableArray<ShardInfo> shards)
    {
        var owners = new string?[SlotRange.SlotCount];
        var primaries = ImmutableArray.CreateBuilder<string>();
        foreach (var shard in shards)
        {
            if (shard.Primary is not { } primary)
            {
                continue;
            }

            primaries.Add(primary.Id);
            foreach (var slot in shard.Slots.Slots())
            {
                owners[slot] = primary.Id;
            }
        }

        var endpoints = shards.SelectMany(s => s.Nodes).ToImmutableDictionary(n => n.Id, n => n.Endpoint, StringComparer.Ordinal);
        return new SlotLayout(owners, endpoints, primaries.ToImmutable());
    }

    public SlotRangeSet SlotsOf(string nodeId) =>
        SlotRangeSet.FromSlots(Enumerable.Range(0, SlotRange.SlotCount).Where(s => _owners[s] == nodeId));

    /// <summary>This layout with <paramref name="slots"/> owned by <paramref name="owner"/>.</summary>
    public SlotLayout With(SlotRangeSet slots, string owner)
    {
        var owners = (string?[])_owners.Clone();
        foreach (var slot in slots.Slots())
        {
            owners[slot] = owner;
        }

        return new SlotLayout(owners, Endpoints, Primaries);
    }

    public bool SameOwnership(SlotLayout other) => _owners.AsSpan().SequenceEqual(other._owners);

    /// <summary>The moves (current owner → owner in <paramref name="target"/>) that turn this layout into <paramref name="target"/>.</summary>
    public IReadOnlyList<(string From, string To, SlotRangeSet Slots)> MovesTo(SlotLayout target) =>
        [.. Enumerable.Range(0, SlotRange.SlotCount)
            .Where(s => _owners[s] is not null && target._owners[s] is not null && _owners[s] != target._owners[s])
            .GroupBy(s => (From: _owners[s]!, To: target._owners[s]!))
            .Select(g => (g.Key.From, g.Key.To, SlotRangeSet.FromSlots(g)))];

    /// <summary>"127.0.0.1:7700 0-5460; …" for messages.</summary>
    public override string ToString() =>
        string.Join("; ", Primaries.Select(p => $"{Endpoints.GetValueOrDefault(p, p)} {SlotsOf(p)}"));
}
