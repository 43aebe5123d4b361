using StackExchange.Redis;
using ValkeyDashboard.Cluster.Model;

using SlotRange = ValkeyDashboard.Cluster.Model.SlotRange;

namespace ValkeyDashboard.Cluster.Parsing;

/// <summary>Per-slot figures from one node's <c>CLUSTER SLOT-STATS</c> reply.</summary>
public readonly record struct SlotStatsEntry(int Slot, long KeyCount, long? CpuUsec, long? NetworkBytesIn, long? NetworkBytesOut);

/// <summary>Parses the reply of <c>CLUSTER SLOT-STATS SLOTSRANGE …</c> or <c>… ORDERBY …</c>.</summary>
public static class SlotStatsParser
{
    public static List<SlotStatsEntry> Parse(RedisResult reply)
    {
        var items = ReplyReader.ReadArray(reply, "CLUSTER SLOT-STATS");
        var entries = new List<SlotStatsEntry>(items.Length);
        foreach (var item in items)
        {
            var pair = ReplyReader.ReadArray(item, "CLUSTER SLOT-STATS entry");
            if (pair.Length != 2)
            {
                throw new ValkeyReplyException("CLUSTER SLOT-STATS entry: expected [slot, stats]");
            }

            var slot = (int)ReplyReader.ToInt64(pair[0], "CLUSTER SLOT-STATS slot");
            if (slot is < 0 or > SlotRange.MaxSlot)
            {
                throw new ValkeyReplyException($"CLUSTER SLOT-STATS: slot {slot} is out of range");
            }

            var stats = ReplyReader.ReadMap(pair[1], "CLUSTER SLOT-STATS stats");
            entries.Add(new SlotStatsEntry(
                slot,
                stats.GetInt64("key-count") ?? 0,
                stats.GetInt64("cpu-usec"),
                stats.GetInt64("network-bytes-in"),
                stats.GetInt64("network-bytes-out")));
        }

        return entries;
    }
}
