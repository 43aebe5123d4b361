using System.Collections.Immutable;
using StackExchange.Redis;
using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.Cluster.Parsing;

/// <summary>Which side of an atomic slot migration a log entry describes. Values are part of the wire contract.</summary>
public enum SlotMigrationOperation
{
    Export = 0,
    Import = 1,
}

/// <summary>One entry of <c>CLUSTER GETSLOTMIGRATIONS</c>: a Valkey atomic slot migration job as one node sees it.</summary>
public sealed record SlotMigrationLogEntry(
    string Name,
    SlotMigrationOperation Operation,
    SlotRangeSet Slots,
    string SourceNodeId,
    string TargetNodeId,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? LastUpdatedAt,
    DateTimeOffset? LastAckAt,
    string State,
    string Message,
    long CowSize,
    long RemainingReplicationBytes)
{
    /// <summary>Terminal states: the job will not change again.</summary>
    public bool IsFinished => State is "success" or "failed" or "cancelled";

    /// <summary>
    /// A replica's copy of its primary's job (state <c>occurring-on-primary</c>, without <c>source_node</c> and
    /// <c>target_node</c>): its times are when the replica heard of the job, not the job's progress, which only the
    /// primaries' entries tell.
    /// </summary>
    public bool IsReplicaCopy => State == "occurring-on-primary";
}

/// <summary>Parses the reply of <c>CLUSTER GETSLOTMIGRATIONS</c> (newest first).</summary>
public static class SlotMigrationLogParser
{
    public static ImmutableArray<SlotMigrationLogEntry> Parse(RedisResult reply)
    {
        var entries = ImmutableArray.CreateBuilder<SlotMigrationLogEntry>();
        foreach (var item in ReplyReader.ReadArray(reply, "CLUSTER GETSLOTMIGRATIONS"))
        {
            const string what = "CLUSTER GETSLOTMIGRATIONS entry";
            var map = ReplyReader.ReadMap(item, what);
            entries.Add(new SlotMigrationLogEntry(
                map.GetRequiredString("name", what),
                ParseOperation(map.GetRequiredString("operation", what)),
                ParseRanges(map.GetString("slot_ranges") ?? string.Empty),
                map.GetString("source_node") ?? string.Empty,
                map.GetString("target_node") ?? string.Empty,
                ToTime(map.GetInt64("create_time")),
                ToTime(map.GetInt64("last_update_time")),
                ToTime(map.GetInt64("last_ack_time")),
                map.GetRequiredString("state", what),
                map.GetString("message") ?? string.Empty,
                map.GetInt64("cow_size") ?? 0,
                map.GetInt64("remaining_repl_size") ?? 0));
        }

        return entries.ToImmutable();
    }

    /// <summary>Valkey lists a job's ranges separated by spaces: <c>"0-9 20-29"</c>.</summary>
    internal static SlotRangeSet ParseRanges(string text)
    {
        var normalized = string.Join(',', text.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        if (normalized.Length == 0)
        {
            return SlotRangeSet.Empty;
        }

        return SlotRangeSet.TryParse(normalized, out var set, out var error)
            ? set
            : throw new ValkeyReplyException($"CLUSTER GETSLOTMIGRATIONS slot_ranges '{text}': {error}");
    }

    private static SlotMigrationOperation ParseOperation(string operation) => operation.ToUpperInvariant() switch
    {
        "EXPORT" => SlotMigrationOperation.Export,
        "IMPORT" => SlotMigrationOperation.Import,
        _ => throw new ValkeyReplyException($"CLUSTER GETSLOTMIGRATIONS: unknown operation '{operation}'"),
    };

    private static DateTimeOffset? ToTime(long? unixSeconds) =>
        unixSeconds is > 0 ? DateTimeOffset.FromUnixTimeSeconds(unixSeconds.Value) : null;
}
