using Microsoft.Data.Sqlite;
using ValkeyDashboard.Cluster.Storage;

namespace ValkeyDashboard.Cluster.History;

/// <summary>
/// The slot history in the dashboard's SQLite database: one row per point and tier, the point encoded by
/// <see cref="SlotHistoryCodec"/> (a keyframe every <see cref="SlotHistoryOptions.KeyframeEvery"/> points, deltas in
/// between). Rows belong to the cluster the database serves now (<see cref="DashboardDatabase.ClusterId"/>); nothing is
/// written while it is not known.
/// </summary>
public sealed class SlotHistoryStore : IDisposable
{
    private const string Table = "slot_history";

    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly DashboardDatabase _database;
    private readonly int _keyframeEvery;
    private readonly Dictionary<int, (SlotHistoryPoint Point, int SinceKeyframe, string ClusterId)> _last = [];

    public SlotHistoryStore(DashboardDatabase database, int keyframeEvery)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(keyframeEvery, 1);
        _database = database;
        _keyframeEvery = keyframeEvery;
        _connection = DashboardDatabase.Open(database.Path, $"""
            CREATE TABLE IF NOT EXISTS {Table} (
                cluster_id TEXT NOT NULL,
                tier INTEGER NOT NULL,
                at INTEGER NOT NULL,
                keyframe INTEGER NOT NULL,
                payload BLOB NOT NULL,
                PRIMARY KEY (cluster_id, tier, at));
            """);
    }

    /// <summary>Stores <paramref name="point"/> in <paramref name="tier"/>; false when the cluster is not identified yet.</summary>
    public async Task<bool> AppendAsync(int tier, SlotHistoryPoint point, CancellationToken cancellationToken = default)
    {
        if (_database.ClusterId is not { } cluster)
        {
            return false;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            var previous = _last.TryGetValue(tier, out var last) && last.ClusterId == cluster && last.SinceKeyframe + 1 < _keyframeEvery && last.Point.At < point.At
                ? last
                : ((SlotHistoryPoint Point, int SinceKeyframe, string ClusterId)?)null;
            var payload = SlotHistoryCodec.Encode(point, previous?.Point);
            await using var command = _connection.CreateCommand();
            command.CommandText = $"INSERT OR REPLACE INTO {Table} (cluster_id, tier, at, keyframe, payload) VALUES ($cluster, $tier, $at, $keyframe, $payload)";
            command.Parameters.AddWithValue("$cluster", cluster);
            command.Parameters.AddWithValue("$tier", tier);
            command.Parameters.AddWithValue("$at", point.At.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$keyframe", previous is null ? 1 : 0);
            command.Parameters.AddWithValue("$payload", payload);
            await command.ExecuteNonQueryAsync(cancellationToken);
            _last[tier] = (point, previous is null ? 0 : previous.Value.SinceKeyframe + 1, cluster);
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Deletes the points of <paramref name="tier"/> older than <paramref name="cutoff"/>, except those a later delta
    /// still needs (from the last keyframe at or before the cutoff on), so every point kept can be read.
    /// </summary>
    public async Task<int> PruneAsync(int tier, DateTimeOffset cutoff, CancellationToken cancellationToken = default)
    {
        if (_database.ClusterId is not { } cluster)
        {
            return 0;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var command = _connection.CreateCommand();
            command.CommandText = $"""
                DELETE FROM {Table} WHERE cluster_id = $cluster AND tier = $tier AND at < (
                    SELECT COALESCE(MAX(at), 0) FROM {Table} WHERE cluster_id = $cluster AND tier = $tier AND keyframe = 1 AND at <= $cutoff)
                """;
            command.Parameters.AddWithValue("$cluster", cluster);
            command.Parameters.AddWithValue("$tier", tier);
            command.Parameters.AddWithValue("$cutoff", cutoff.ToUnixTimeMilliseconds());
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The points of <paramref name="tier"/> from <paramref name="from"/> to <paramref name="to"/> (inclusive), oldest first, at most <paramref name="limit"/>.</summary>
    public async Task<List<SlotHistoryPoint>> ReadRangeAsync(int tier, DateTimeOffset from, DateTimeOffset to, int limit = int.MaxValue, CancellationToken cancellationToken = default)
    {
        var points = new List<SlotHistoryPoint>();
        if (_database.ClusterId is not { } cluster)
        {
            return points;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            // From the keyframe the first point in range is decoded from.
            await using var command = _connection.CreateCommand();
            command.CommandText = $"""
                SELECT at, payload FROM {Table} WHERE cluster_id = $cluster AND tier = $tier AND at <= $to AND at >= COALESCE(
                    (SELECT MAX(at) FROM {Table} WHERE cluster_id = $cluster AND tier = $tier AND keyframe = 1 AND at <= $from), $from)
                ORDER BY at
                """;
            command.Parameters.AddWithValue("$cluster", cluster);
            command.Parameters.AddWithValue("$tier", tier);
            command.Parameters.AddWithValue("$from", from.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$to", to.ToUnixTimeMilliseconds());
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            SlotHistoryPoint? previous = null;
            while (points.Count < limit && await reader.ReadAsync(cancellationToken))
            {
                var at = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0));
                var payload = (byte[])reader.GetValue(1);
                if (previous is null && !SlotHistoryCodec.IsKeyframe(payload))
                {
                    continue; // its keyframe was pruned: unreadable, and older than the retention anyway
                }

                // Points before the range only lead up to it: their keys, not their load.
                previous = SlotHistoryCodec.Decode(payload, at, previous, load: at >= from);
                if (at >= from)
                {
                    points.Add(previous);
                }
            }

            return points;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The latest point at or before <paramref name="at"/> in any tier (the finest on a tie), with its tier; null when none is.</summary>
    public async Task<(int Tier, SlotHistoryPoint Point)?> ReadAtAsync(DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        if (_database.ClusterId is not { } cluster)
        {
            return null;
        }

        long found;
        int tier;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var command = _connection.CreateCommand();
            command.CommandText = $"SELECT tier, at FROM {Table} WHERE cluster_id = $cluster AND at <= $at ORDER BY at DESC, tier LIMIT 1";
            command.Parameters.AddWithValue("$cluster", cluster);
            command.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }

            (tier, found) = (reader.GetInt32(0), reader.GetInt64(1));
        }
        finally
        {
            _gate.Release();
        }

        var moment = DateTimeOffset.FromUnixTimeMilliseconds(found);
        var points = await ReadRangeAsync(tier, moment, moment, 1, cancellationToken);
        return points.Count == 0 ? null : (tier, points[0]);
    }

    /// <summary>The earliest and latest moments stored for the current cluster, or null when nothing is.</summary>
    public async Task<(DateTimeOffset First, DateTimeOffset Last)?> ExtentAsync(CancellationToken cancellationToken = default)
    {
        if (_database.ClusterId is not { } cluster)
        {
            return null;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var command = _connection.CreateCommand();
            command.CommandText = $"SELECT MIN(at), MAX(at) FROM {Table} WHERE cluster_id = $cluster";
            command.Parameters.AddWithValue("$cluster", cluster);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken) && !reader.IsDBNull(0)
                ? (DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)))
                : null;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Points and payload bytes stored per tier for the current cluster (for the benchmark and diagnostics).</summary>
    public async Task<Dictionary<int, (long Points, long Bytes)>> SizeAsync(CancellationToken cancellationToken = default)
    {
        var sizes = new Dictionary<int, (long Points, long Bytes)>();
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var command = _connection.CreateCommand();
            command.CommandText = $"SELECT tier, COUNT(*), SUM(LENGTH(payload)) FROM {Table} WHERE cluster_id IS $cluster GROUP BY tier";
            command.Parameters.AddWithValue("$cluster", (object?)_database.ClusterId ?? DBNull.Value);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                sizes[reader.GetInt32(0)] = (reader.GetInt64(1), reader.GetInt64(2));
            }

            return sizes;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        _connection.Dispose();
        _gate.Dispose();
    }
}
