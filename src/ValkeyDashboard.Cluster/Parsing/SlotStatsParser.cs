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

    /// <summary>The same reply read straight from its RESP bytes (what <see cref="Connections.ValkeyAdminClient.SlotStatsAsync"/> receives over its lean connection).</summary>
    public static List<SlotStatsEntry> Parse(ReadOnlySpan<byte> resp)
    {
        var reader = new RespReader(resp);
        reader.ThrowIfError("CLUSTER SLOT-STATS");
        var count = reader.ReadAggregate("CLUSTER SLOT-STATS");
        var entries = new List<SlotStatsEntry>(Math.Max(0, count));
        for (var i = 0; i < count; i++)
        {
            if (reader.ReadAggregate("CLUSTER SLOT-STATS entry") != 2)
            {
                throw new ValkeyReplyException("CLUSTER SLOT-STATS entry: expected [slot, stats]");
            }

            var slot = reader.ReadInteger("CLUSTER SLOT-STATS slot");
            if (slot is < 0 or > SlotRange.MaxSlot)
            {
                throw new ValkeyReplyException($"CLUSTER SLOT-STATS: slot {slot} is out of range");
            }

            long keys = 0;
            long? cpu = null, bytesIn = null, bytesOut = null;
            var fields = reader.ReadAggregate("CLUSTER SLOT-STATS stats");
            for (var f = 0; f + 1 < fields; f += 2)
            {
                var name = reader.ReadString("CLUSTER SLOT-STATS stat name");
                if (name.SequenceEqual("key-count"u8))
                {
                    keys = reader.ReadInteger("key-count");
                }
                else if (name.SequenceEqual("cpu-usec"u8))
                {
                    cpu = reader.ReadInteger("cpu-usec");
                }
                else if (name.SequenceEqual("network-bytes-in"u8))
                {
                    bytesIn = reader.ReadInteger("network-bytes-in");
                }
                else if (name.SequenceEqual("network-bytes-out"u8))
                {
                    bytesOut = reader.ReadInteger("network-bytes-out");
                }
                else
                {
                    // A statistic a later Valkey adds.
                    reader.Skip("CLUSTER SLOT-STATS stat");
                }
            }

            entries.Add(new SlotStatsEntry((int)slot, keys, cpu, bytesIn, bytesOut));
        }

        return entries;
    }
}
