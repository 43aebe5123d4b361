using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace ValkeyDashboard.Cluster.Storage;

/// <summary>
/// The dashboard's SQLite file (by default <c>dashboard.db</c> in the data folder), shared by the migration history, the
/// plans and the audit log, each with a connection of its own for its life. WAL with synchronous=NORMAL commits without
/// an fsync each time; a crash may lose the last updates, which recovery re-reads from Valkey anyway.
/// <para>
/// One file may serve several clusters over time (the same folder pointed at another cluster), so every row is kept for
/// the cluster it belongs to, and the dashboard reads only the current cluster's. A cluster is known by its nodes: the
/// <c>clusters</c> table keeps, under a stable id of the dashboard's own, every node id seen in it; a cluster whose nodes
/// include one of those is that cluster again (nodes come and go, rarely all at once). Rows written before the cluster
/// was identified (older versions, a cluster unreachable at start) are claimed by the next cluster identified.
/// </para>
/// </summary>
public sealed class DashboardDatabase : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<Func<string, CancellationToken, Task>> _onIdentified = [];
    private HashSet<string> _clusterNodes = new(StringComparer.Ordinal);

    public DashboardDatabase(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        _connection = Open(Path, """
            CREATE TABLE IF NOT EXISTS clusters (
                id TEXT PRIMARY KEY,
                node_ids TEXT NOT NULL,
                first_seen TEXT NOT NULL,
                last_seen TEXT NOT NULL);
            """);
    }

    /// <summary>The file (absolute).</summary>
    public string Path { get; }

    /// <summary>The dashboard's id of the cluster it manages now; null until the cluster was identified.</summary>
    public string? ClusterId { get; private set; }

    /// <summary>
    /// Runs <paramref name="handler"/> each time the current cluster becomes known or changes, after
    /// <see cref="ClusterId"/> is set, in the order handlers were added (stores claim their rows, then registries reload).
    /// </summary>
    public void OnClusterIdentified(Func<string, CancellationToken, Task> handler)
    {
        lock (_onIdentified)
        {
            _onIdentified.Add(handler);
        }
    }

    /// <summary>
    /// The cluster whose nodes are <paramref name="nodeIds"/>: the known cluster that shares the most node ids with
    /// them (it then also keeps the new ones), or a new one. Makes it the current cluster; returns its id.
    /// </summary>
    public async Task<string> IdentifyClusterAsync(IReadOnlyCollection<string> nodeIds, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfZero(nodeIds.Count);
        string id;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (ClusterId is not null && _clusterNodes.Overlaps(nodeIds))
            {
                // The same cluster, maybe with new nodes: keep them too.
                if (!_clusterNodes.IsSupersetOf(nodeIds))
                {
                    _clusterNodes.UnionWith(nodeIds);
                    await SaveAsync(ClusterId, _clusterNodes, now, insert: false, cancellationToken);
                }

                return ClusterId;
            }

            var known = await LoadClustersAsync(cancellationToken);
            var match = ClusterMatch.Find(known, nodeIds);
            id = match ?? Guid.NewGuid().ToString("N");
            var nodes = new HashSet<string>(match is null ? [] : known.First(k => k.Id == match).NodeIds, StringComparer.Ordinal);
            nodes.UnionWith(nodeIds);
            await SaveAsync(id, nodes, now, insert: match is null, cancellationToken);
            _clusterNodes = nodes;
            ClusterId = id;
        }
        finally
        {
            _gate.Release();
        }

        List<Func<string, CancellationToken, Task>> handlers;
        lock (_onIdentified)
        {
            handlers = [.. _onIdentified];
        }

        foreach (var handler in handlers)
        {
            await handler(id, cancellationToken);
        }

        return id;
    }

    /// <summary>Opens (creating the folder 0700 and the file 0600 if needed: SQLite gives its WAL and shared-memory files the
    /// database's mode) with the shared settings, then runs <paramref name="schema"/>.</summary>
    public static SqliteConnection Open(string databasePath, string schema)
    {
        var path = System.IO.Path.GetFullPath(databasePath);
        if (!OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!, PrivateFiles.FolderMode);
            // An empty file is an empty database; created owner-only here rather than by SQLite with the umask's mode.
            using var _ = new FileStream(path, new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.Write, UnixCreateMode = PrivateFiles.FileMode });
        }

        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = NORMAL;
            PRAGMA busy_timeout = 5000;
            {schema}
            """;
        command.ExecuteNonQuery();
        return connection;
    }

    /// <summary>
    /// Adds the <c>cluster_id</c> column to <paramref name="table"/> when a version before it made the table (its rows
    /// then have none, and are claimed by the next cluster identified).
    /// </summary>
    public static void AddClusterColumn(SqliteConnection connection, string table)
    {
        using var columns = connection.CreateCommand();
        columns.CommandText = $"SELECT COUNT(*) FROM pragma_table_info('{table}') WHERE name = 'cluster_id'";
        if ((long)columns.ExecuteScalar()! == 0)
        {
            using var alter = connection.CreateCommand();
            alter.CommandText = $"ALTER TABLE {table} ADD COLUMN cluster_id TEXT";
            alter.ExecuteNonQuery();
        }

        using var index = connection.CreateCommand();
        index.CommandText = $"CREATE INDEX IF NOT EXISTS ix_{table}_cluster_id ON {table} (cluster_id)";
        index.ExecuteNonQuery();
    }

    /// <summary>Gives the rows of <paramref name="table"/> that belong to no cluster yet to <paramref name="clusterId"/>.</summary>
    public static async Task ClaimUnassignedRowsAsync(SqliteConnection connection, string table, string clusterId, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"UPDATE {table} SET cluster_id = $cluster WHERE cluster_id IS NULL";
        command.Parameters.AddWithValue("$cluster", clusterId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public void Dispose()
    {
        _connection.Dispose();
        _gate.Dispose();
    }

    private async Task<List<ClusterMatch.KnownCluster>> LoadClustersAsync(CancellationToken cancellationToken)
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = "SELECT id, node_ids FROM clusters ORDER BY last_seen DESC";
        var known = new List<ClusterMatch.KnownCluster>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            known.Add(new ClusterMatch.KnownCluster(reader.GetString(0), JsonSerializer.Deserialize<string[]>(reader.GetString(1))!));
        }

        return known;
    }

    private async Task SaveAsync(string id, HashSet<string> nodes, DateTimeOffset now, bool insert, CancellationToken cancellationToken)
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = insert
            ? "INSERT INTO clusters (id, node_ids, first_seen, last_seen) VALUES ($id, $nodes, $now, $now)"
            : "UPDATE clusters SET node_ids = $nodes, last_seen = $now WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$nodes", JsonSerializer.Serialize(nodes.Order(StringComparer.Ordinal)));
        command.Parameters.AddWithValue("$now", now.UtcDateTime.ToString("O"));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
