using System.Collections.Immutable;
using System.Globalization;
using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.Cluster.Parsing;

/// <summary>Which way a slot is open on the node that reports it. Values are part of the wire contract.</summary>
public enum OpenSlotDirection
{
    /// <summary><c>[slot-&gt;-id]</c>: the node owns the slot and is giving its keys to <c>id</c>.</summary>
    Migrating = 0,

    /// <summary><c>[slot-&lt;-id]</c>: the node is receiving the slot's keys from <c>id</c>.</summary>
    Importing = 1,
}

/// <summary>A slot a node reports open: migrating to, or importing from, <paramref name="PeerId"/>.</summary>
public sealed record OpenSlotMark(int Slot, OpenSlotDirection Direction, string PeerId);

/// <summary>
/// One line of <c>CLUSTER NODES</c>: a node as the node that answered sees it. Unlike <c>CLUSTER SHARDS</c> it shows the
/// flags (<c>fail</c>, <c>fail?</c>, <c>noaddr</c>, <c>handshake</c>), the slots the answering node believes each node
/// serves (what the doctor compares between nodes) and, on the <c>myself</c> line, the slots left open by a key-by-key
/// move.
/// </summary>
/// <param name="Id">The 40-hex node id.</param>
/// <param name="Endpoint">ip:port (the bus port and hostname stripped); empty for a node without address.</param>
/// <param name="Flags">e.g. <c>myself</c>, <c>master</c>, <c>slave</c>, <c>fail</c>, <c>noaddr</c>.</param>
/// <param name="PrimaryId">For a replica, its primary's id; null for a primary.</param>
/// <param name="Connected">The link state is <c>connected</c>.</param>
/// <param name="Slots">The slots the answering node believes this node serves.</param>
/// <param name="OpenSlots">Open slots; Valkey lists them only on the <c>myself</c> line.</param>
public sealed record ClusterNodesEntry(
    string Id,
    string Endpoint,
    ImmutableArray<string> Flags,
    string? PrimaryId,
    bool Connected,
    SlotRangeSet Slots,
    ImmutableArray<OpenSlotMark> OpenSlots)
{
    public bool IsMyself => Flags.Contains("myself");

    public bool IsPrimary => Flags.Contains("master");

    /// <summary>Marked failed by the cluster (<c>fail</c>; not the unconfirmed <c>fail?</c>).</summary>
    public bool IsFailed => Flags.Contains("fail");

    /// <summary>The cluster knows no address for the node (<c>noaddr</c>).</summary>
    public bool HasNoAddress => Flags.Contains("noaddr");

    /// <summary>The host part of <see cref="Endpoint"/>.</summary>
    public string Host => Endpoint[..Math.Max(0, Endpoint.LastIndexOf(':'))];
}

/// <summary>Parses the text of <c>CLUSTER NODES</c>: flags, ownership and the open slots (<c>[slot-&gt;-id]</c>, <c>[slot-&lt;-id]</c>).</summary>
public static class ClusterNodesParser
{
    public static ImmutableArray<ClusterNodesEntry> Parse(string text)
    {
        var entries = ImmutableArray.CreateBuilder<ClusterNodesEntry>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // <id> <ip:port@cport[,hostname]> <flags> <primary> <ping-sent> <pong-recv> <config-epoch> <link-state> <slot> <slot> ...
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 8)
            {
                throw new ValkeyReplyException($"CLUSTER NODES: a line has {fields.Length} fields, expected at least 8: '{line}'");
            }

            var slots = new List<SlotRange>();
            var open = ImmutableArray.CreateBuilder<OpenSlotMark>();
            foreach (var field in fields.Skip(8))
            {
                if (field.StartsWith('['))
                {
                    open.Add(ParseOpenSlot(field, line));
                }
                else
                {
                    var dash = field.IndexOf('-', StringComparison.Ordinal);
                    var start = ParseSlot(dash < 0 ? field : field[..dash], line);
                    var end = dash < 0 ? start : ParseSlot(field[(dash + 1)..], line);
                    slots.Add(start <= end ? new SlotRange(start, end) : throw new ValkeyReplyException($"CLUSTER NODES: '{field}' is not a slot range in '{line}'"));
                }
            }

            entries.Add(new ClusterNodesEntry(
                fields[0],
                EndpointOf(fields[1]),
                [.. fields[2].Split(',', StringSplitOptions.RemoveEmptyEntries)],
                fields[3] == "-" ? null : fields[3],
                fields[7] == "connected",
                SlotRangeSet.From(slots),
                open.ToImmutable()));
        }

        return entries.ToImmutable();
    }

    /// <summary><c>ip:port@cport[,hostname]</c> → <c>ip:port</c>; <c>:0@0</c> (no address) → empty.</summary>
    private static string EndpointOf(string address)
    {
        var end = address.IndexOfAny(['@', ',']);
        var endpoint = end < 0 ? address : address[..end];
        return endpoint.StartsWith(':') ? string.Empty : endpoint;
    }

    /// <summary><c>[93-&gt;-id]</c> or <c>[93-&lt;-id]</c>.</summary>
    private static OpenSlotMark ParseOpenSlot(string field, string line)
    {
        var body = field.Trim('[', ']');
        var migrating = body.IndexOf("->-", StringComparison.Ordinal);
        var importing = body.IndexOf("-<-", StringComparison.Ordinal);
        var at = migrating >= 0 ? migrating : importing;
        if (at < 0)
        {
            throw new ValkeyReplyException($"CLUSTER NODES: unknown open-slot mark '{field}' in '{line}'");
        }

        return new OpenSlotMark(ParseSlot(body[..at], line), migrating >= 0 ? OpenSlotDirection.Migrating : OpenSlotDirection.Importing, body[(at + 3)..]);
    }

    private static int ParseSlot(string text, string line) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var slot) && slot is >= 0 and <= SlotRange.MaxSlot
            ? slot
            : throw new ValkeyReplyException($"CLUSTER NODES: '{text}' is not a slot number in '{line}'");
}
