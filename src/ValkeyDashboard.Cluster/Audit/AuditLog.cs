using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using ValkeyDashboard.Cluster.Utils;

namespace ValkeyDashboard.Cluster.Audit;

/// <summary>What came of a change someone asked for.</summary>
public enum AuditOutcome
{
    /// <summary>Done or started as asked.</summary>
    Accepted = 0,

    /// <summary>Refused before anything changed (invalid, conflicting, not allowed); the detail says why.</summary>
    Refused = 1,

    /// <summary>Tried and failed; the detail has the error.</summary>
    Failed = 2,
}

/// <summary>One change someone asked for: who, what, on what, when, and what came of it.</summary>
/// <param name="Id">Increasing with time.</param>
/// <param name="At">When it was asked.</param>
/// <param name="Actor">Who asked (<c>ui</c>, <c>api</c>, later a user or token name).</param>
/// <param name="Action">What, e.g. <c>migration.start</c>, <c>migration.cancel</c>.</param>
/// <param name="Subject">On what, e.g. <c>0-99 → 127.0.0.1:7001</c> or a migration id.</param>
/// <param name="Outcome">What came of it.</param>
/// <param name="Detail">The migration it started, or why it was refused or failed.</param>
public sealed record AuditEntry(long Id, DateTimeOffset At, string Actor, string Action, string Subject, AuditOutcome Outcome, string? Detail);

/// <summary>
/// The audit log of every change asked of the dashboard, in the same SQLite database as the migration history.
/// Entries are only ever added. Subscribe with <see cref="WatchAsync"/> to see new ones.
/// </summary>
public sealed class AuditLog : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly SubscriberChannels<AuditEntry> _subscribers = new(() => Channel.CreateUnbounded<AuditEntry>(new UnboundedChannelOptions { SingleReader = true }));

    public AuditLog(string databasePath)
    {
        _connection = DashboardDatabase.Open(databasePath, """
            CREATE TABLE IF NOT EXISTS audit (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                at TEXT NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                subject TEXT NOT NULL,
                outcome TEXT NOT NULL,
                detail TEXT);
            """);
    }

    /// <summary>Records a change; returns the entry as stored.</summary>
    public async Task<AuditEntry> RecordAsync(string actor, string action, string subject, AuditOutcome outcome, string? detail, CancellationToken cancellationToken = default)
    {
        var at = DateTimeOffset.UtcNow;
        long id;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var command = _connection.CreateCommand();
            command.CommandText = """
                INSERT INTO audit (at, actor, action, subject, outcome, detail) VALUES ($at, $actor, $action, $subject, $outcome, $detail);
                SELECT last_insert_rowid();
                """;
            command.Parameters.AddWithValue("$at", at.ToString("O", CultureInfo.InvariantCulture));
            command.Parameters.AddWithValue("$actor", actor);
            command.Parameters.AddWithValue("$action", action);
            command.Parameters.AddWithValue("$subject", subject);
            command.Parameters.AddWithValue("$outcome", outcome.ToString());
            command.Parameters.AddWithValue("$detail", (object?)detail ?? DBNull.Value);
            id = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        }
        finally
        {
            _gate.Release();
        }

        var entry = new AuditEntry(id, at, actor, action, subject, outcome, detail);
        _subscribers.Publish(entry);
        return entry;
    }

    /// <summary>Newest first, <paramref name="pageSize"/> per page, pages from 1; and how many there are in all.</summary>
    public async Task<(IReadOnlyList<AuditEntry> Items, int Total)> ListAsync(int page, int pageSize, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var count = _connection.CreateCommand();
            count.CommandText = "SELECT COUNT(*) FROM audit";
            var total = (int)(long)(await count.ExecuteScalarAsync(cancellationToken))!;

            await using var command = _connection.CreateCommand();
            command.CommandText = "SELECT id, at, actor, action, subject, outcome, detail FROM audit ORDER BY id DESC LIMIT $limit OFFSET $offset";
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

    /// <summary>Every entry recorded from now on.</summary>
    public async IAsyncEnumerable<AuditEntry> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var entry in _subscribers.SubscribeAsync(cancellationToken: cancellationToken))
        {
            yield return entry;
        }
    }

    public void Dispose()
    {
        _subscribers.CompleteAll();
        _connection.Dispose();
        _gate.Dispose();
    }
}
