using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Data.Sqlite;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Migrations;

namespace ValkeyDashboard.Cluster.Storage;

/// <summary>
/// The migration history in an embedded SQLite database (by default <c>.data/dashboard.db</c>): one row per
/// migration, the whole record as JSON beside the columns that are queried. Survives dashboard restarts.
/// </summary>
public sealed class MigrationStore : IDisposable
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase), new SlotRangeSetJsonConverter() },
    };

    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _gate = new(1, 1);

    public MigrationStore(string databasePath)
    {
        DatabasePath = Path.GetFullPath(databasePath);
        _connection = DashboardDatabase.Open(DatabasePath, """
            CREATE TABLE IF NOT EXISTS migrations (
                id TEXT PRIMARY KEY,
                created_at TEXT NOT NULL,
                state TEXT NOT NULL,
                idempotency_key TEXT UNIQUE,
                body TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS ix_migrations_created_at ON migrations (created_at DESC);
            """);
    }

    public string DatabasePath { get; }

    /// <summary>Inserts or replaces a migration.</summary>
    public async Task SaveAsync(Migration migration, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var command = _connection.CreateCommand();
            command.CommandText = """
                INSERT INTO migrations (id, created_at, state, idempotency_key, body) VALUES ($id, $created, $state, $key, $body)
                ON CONFLICT (id) DO UPDATE SET state = excluded.state, body = excluded.body
                """;
            command.Parameters.AddWithValue("$id", migration.Id);
            command.Parameters.AddWithValue("$created", migration.CreatedAt.UtcDateTime.ToString("O"));
            command.Parameters.AddWithValue("$state", migration.State.ToString());
            command.Parameters.AddWithValue("$key", (object?)migration.IdempotencyKey ?? DBNull.Value);
            command.Parameters.AddWithValue("$body", JsonSerializer.Serialize(migration, Json));
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Removes a migration that never started (Valkey refused it), so a refused request leaves no trace.</summary>
    public async Task DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var command = _connection.CreateCommand();
            command.CommandText = "DELETE FROM migrations WHERE id = $id";
            command.Parameters.AddWithValue("$id", id);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Every stored migration, newest first.</summary>
    public async Task<List<Migration>> LoadAllAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var command = _connection.CreateCommand();
            command.CommandText = "SELECT body FROM migrations ORDER BY created_at DESC";
            var migrations = new List<Migration>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                migrations.Add(JsonSerializer.Deserialize<Migration>(reader.GetString(0), Json)!);
            }

            return migrations;
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

    /// <summary>Slot sets are stored in their canonical text form, <c>"0-99,200"</c>.</summary>
    private sealed class SlotRangeSetJsonConverter : JsonConverter<SlotRangeSet>
    {
        public override SlotRangeSet Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var text = reader.GetString();
            return string.IsNullOrEmpty(text) ? SlotRangeSet.Empty : SlotRangeSet.Parse(text);
        }

        public override void Write(Utf8JsonWriter writer, SlotRangeSet value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
    }
}
