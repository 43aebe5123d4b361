using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Data.Sqlite;
using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.Cluster.Storage;

/// <summary>
/// One table of long-running operations in the dashboard's SQLite database: one row per record, the whole record as
/// JSON beside the columns that are queried. Survives dashboard restarts.
/// </summary>
/// <typeparam name="T">The record (a migration, a plan).</typeparam>
public class RecordStore<T> : IDisposable
    where T : IRecord
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase), new SlotRangeSetJsonConverter() },
    };

    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly string _table;

    /// <param name="databasePath">The SQLite file (created with its folder if needed).</param>
    /// <param name="table">The table's name (a constant of the subclass, never client input).</param>
    protected RecordStore(string databasePath, string table)
    {
        _table = table;
        DatabasePath = Path.GetFullPath(databasePath);
        _connection = DashboardDatabase.Open(DatabasePath, $"""
            CREATE TABLE IF NOT EXISTS {table} (
                id TEXT PRIMARY KEY,
                created_at TEXT NOT NULL,
                state TEXT NOT NULL,
                idempotency_key TEXT UNIQUE,
                body TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS ix_{table}_created_at ON {table} (created_at DESC);
            """);
    }

    public string DatabasePath { get; }

    /// <summary>Inserts or replaces a record.</summary>
    public async Task SaveAsync(T record, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var command = _connection.CreateCommand();
            command.CommandText = $"""
                INSERT INTO {_table} (id, created_at, state, idempotency_key, body) VALUES ($id, $created, $state, $key, $body)
                ON CONFLICT (id) DO UPDATE SET state = excluded.state, body = excluded.body
                """;
            command.Parameters.AddWithValue("$id", record.Id);
            command.Parameters.AddWithValue("$created", record.CreatedAt.UtcDateTime.ToString("O"));
            command.Parameters.AddWithValue("$state", record.StateName);
            command.Parameters.AddWithValue("$key", (object?)record.IdempotencyKey ?? DBNull.Value);
            command.Parameters.AddWithValue("$body", JsonSerializer.Serialize(record, Json));
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Every stored record, newest first.</summary>
    public async Task<List<T>> LoadAllAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var command = _connection.CreateCommand();
            command.CommandText = $"SELECT body FROM {_table} ORDER BY created_at DESC";
            var records = new List<T>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                records.Add(JsonSerializer.Deserialize<T>(reader.GetString(0), Json)!);
            }

            return records;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _connection.Dispose();
            _gate.Dispose();
        }
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
