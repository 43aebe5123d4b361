using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Data.Sqlite;
using ValkeyDashboard.Cluster.Model;

namespace ValkeyDashboard.Cluster.Storage;

/// <summary>
/// One table of long-running operations in the dashboard's SQLite database: one row per record, the whole record as
/// JSON beside the columns that are queried. Survives dashboard restarts. Every row is kept for the cluster it was
/// written for, and only the current cluster's are loaded (<see cref="DashboardDatabase"/>): a record type gets this by
/// being stored here.
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

    /// <param name="database">The SQLite file (created with its folder if needed) and the cluster it serves now.</param>
    /// <param name="table">The table's name (a constant of the subclass, never client input).</param>
    protected RecordStore(DashboardDatabase database, string table)
    {
        _table = table;
        Database = database;
        _connection = DashboardDatabase.Open(database.Path, $"""
            CREATE TABLE IF NOT EXISTS {table} (
                id TEXT PRIMARY KEY,
                created_at TEXT NOT NULL,
                state TEXT NOT NULL,
                idempotency_key TEXT UNIQUE,
                body TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS ix_{table}_created_at ON {table} (created_at DESC);
            """);
        DashboardDatabase.AddClusterColumn(_connection, table);
        database.OnClusterIdentified(ClaimUnassignedAsync);
    }

    /// <summary>The database, and the cluster whose records are read and written now.</summary>
    public DashboardDatabase Database { get; }

    public string DatabasePath => Database.Path;

    /// <summary>Inserts a record for the current cluster, or replaces one (which stays its cluster's).</summary>
    public async Task SaveAsync(T record, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var command = _connection.CreateCommand();
            command.CommandText = $"""
                INSERT INTO {_table} (id, created_at, state, idempotency_key, body, cluster_id) VALUES ($id, $created, $state, $key, $body, $cluster)
                ON CONFLICT (id) DO UPDATE SET state = excluded.state, body = excluded.body
                """;
            command.Parameters.AddWithValue("$cluster", (object?)Database.ClusterId ?? DBNull.Value);
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

    /// <summary>Every stored record of the current cluster (of none while it is not identified), newest first.</summary>
    public async Task<List<T>> LoadAllAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await using var command = _connection.CreateCommand();
            command.CommandText = $"SELECT body FROM {_table} WHERE cluster_id IS $cluster ORDER BY created_at DESC";
            command.Parameters.AddWithValue("$cluster", (object?)Database.ClusterId ?? DBNull.Value);
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

    private async Task ClaimUnassignedAsync(string clusterId, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await DashboardDatabase.ClaimUnassignedRowsAsync(_connection, _table, clusterId, cancellationToken);
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
