using System.Globalization;
using Microsoft.Data.Sqlite;
using ValkeyDashboard.Cluster.Audit;

namespace ValkeyDashboard.Cluster.Storage;

/// <summary>
/// The audit log's table in the dashboard's SQLite database: rows are added, a counting row's detail is brought up to
/// date, and rows beyond the retention are deleted oldest first (over every cluster's rows). Each row is kept for the
/// cluster current when it was written, and only the current cluster's are listed (<see cref="DashboardDatabase"/>).
/// </summary>
public sealed class AuditStore : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly DashboardDatabase _database;

    public AuditStore(DashboardDatabase database)
    {
        _database = database;
        _connection = DashboardDatabase.Open(database.Path, """
            CREATE TABLE IF NOT EXISTS audit (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                at TEXT NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                subject TEXT NOT NULL,
                outcome TEXT NOT NULL,
                detail TEXT);
            """);
        DashboardDatabase.AddClusterColumn(_connection, "audit");
        database.OnClusterIdentified(ClaimUnassignedAsync);
    }

    /// <summary>Adds an entry (its id is assigned here) and returns it as stored.</summary>
    public async Task<AuditEntry> AddAsync(DateTimeOffset at, string actor, string action, string subject, AuditOutcome outcome, string? detail, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var command = _connection.CreateCommand();
            command.CommandText = """
                INSERT INTO audit (at, actor, action, subject, outcome, detail, cluster_id) VALUES ($at, $actor, $action, $subject, $outcome, $detail, $cluster);
                SELECT last_insert_rowid();
                """;
            command.Parameters.AddWithValue("$at", at.ToString("O", CultureInfo.InvariantCulture));
            command.Parameters.AddWithValue("$actor", actor);
            command.Parameters.AddWithValue("$action", action);
            command.Parameters.AddWithValue("$subject", subject);
            command.Parameters.AddWithValue("$outcome", outcome.ToString());
            command.Parameters.AddWithValue("$detail", (object?)detail ?? DBNull.Value);
            command.Parameters.AddWithValue("$cluster", (object?)_database.ClusterId ?? DBNull.Value);
            var id = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
            return new AuditEntry(id, at, actor, action, subject, outcome, detail);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Replaces the detail of entry <paramref name="id"/>.</summary>
    public async Task UpdateDetailAsync(long id, string detail, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var command = _connection.CreateCommand();
            command.CommandText = "UPDATE audit SET detail = $detail WHERE id = $id";
            command.Parameters.AddWithValue("$id", id);
            command.Parameters.AddWithValue("$detail", detail);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Deletes the entries from before <paramref name="before"/> (of every cluster: they are too old for any) and all but
    /// the newest <paramref name="keep"/> of the current cluster's: one busy cluster sharing the file must not push
    /// another's trail out.
    /// </summary>
    public async Task PruneAsync(DateTimeOffset before, int keep, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var command = _connection.CreateCommand();
            // Entries are stored in UTC in the round-trip format, so their text sorts as their time does.
            command.CommandText = """
                DELETE FROM audit WHERE at < $before;
                DELETE FROM audit WHERE cluster_id IS $cluster
                    AND id <= (SELECT id FROM audit WHERE cluster_id IS $cluster ORDER BY id DESC LIMIT 1 OFFSET $keep);
                """;
            command.Parameters.AddWithValue("$cluster", (object?)_database.ClusterId ?? DBNull.Value);
            command.Parameters.AddWithValue("$before", before.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
            command.Parameters.AddWithValue("$keep", keep);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The current cluster's entries, newest first, <paramref name="pageSize"/> per page, pages from 1; and how many there are in all.</summary>
    public async Task<(IReadOnlyList<AuditEntry> Items, int Total)> ListAsync(int page, int pageSize, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var count = _connection.CreateCommand();
            count.CommandText = "SELECT COUNT(*) FROM audit WHERE cluster_id IS $cluster";
            count.Parameters.AddWithValue("$cluster", (object?)_database.ClusterId ?? DBNull.Value);
            var total = (int)(long)(await count.ExecuteScalarAsync(cancellationToken))!;

            await using var command = _connection.CreateCommand();
            command.CommandText = "SELECT id, at, actor, action, subject, outcome, detail FROM audit WHERE cluster_id IS $cluster ORDER BY id DESC LIMIT $limit OFFSET $offset";
            command.Parameters.AddWithValue("$cluster", (object?)_database.ClusterId ?? DBNull.Value);
            command.Parameters.AddWithValue("$limit", pageSize);
            command.Parameters.AddWithValue("$offset", (long)(page - 1) * pageSize);
            var items = new List<AuditEntry>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                items.Add(new AuditEntry(
                    reader.GetInt64(0),
                    DateTimeOffset.Parse(reader.GetString(1), CultureInfo.InvariantCulture),
                    reader.GetString(2),
                    reader.GetString(3),
                    reader.GetString(4),
                    Enum.Parse<AuditOutcome>(reader.GetString(5)),
                    reader.IsDBNull(6) ? null : reader.GetString(6)));
            }

            return (items, total);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task ClaimUnassignedAsync(string clusterId, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await DashboardDatabase.ClaimUnassignedRowsAsync(_connection, "audit", clusterId, cancellationToken);
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
