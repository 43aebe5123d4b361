using Microsoft.Data.Sqlite;
using ValkeyDashboard.Cluster.Audit;
using ValkeyDashboard.Cluster.Storage;

namespace ValkeyDashboard.Cluster.Tests;

/// <summary>
/// One database file, several clusters over time: rows are kept for the cluster they were written for, and only the
/// current cluster's are read, for any record type stored through <see cref="RecordStore{T}"/> (a type of the test's
/// own here) and for the audit log.
/// </summary>
public sealed class ClusterScopedStorageTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);
    private static readonly string[] ClusterA = ["a1", "a2", "a3"];
    private static readonly string[] ClusterB = ["b1", "b2", "b3"];

    private readonly string _path = Path.Combine(Path.GetTempPath(), $"history-{Guid.NewGuid():N}.db");
    private readonly List<IDisposable> _opened = [];

    [Fact]
    public async Task Another_clusters_records_are_neither_shown_nor_followed_and_come_back_with_their_cluster()
    {
        var (database, store, registry) = Open();
        await database.IdentifyClusterAsync(ClusterA, Now);
        await registry.StartAsync();
        await registry.AddAsync(new Job("job-of-a", Now, Finished: false));

        (database, store, registry) = Open();
        await database.IdentifyClusterAsync(ClusterB, Now);
        await registry.StartAsync();
        Assert.Empty(registry.List(1, 10).Items);
        Assert.Empty(registry.Active);

        // Cluster A again, one node replaced since: its record, still unfinished, is followed again.
        (database, store, registry) = Open();
        await database.IdentifyClusterAsync(["a2", "a3", "a4"], Now);
        await registry.StartAsync();
        Assert.Equal("job-of-a", Assert.Single(registry.Active).Id);
    }

    [Fact]
    public async Task The_audit_log_lists_only_the_current_clusters_entries()
    {
        var database = Track(new DashboardDatabase(_path));
        var audit = Track(new AuditStore(database));
        await database.IdentifyClusterAsync(ClusterA, Now);
        await audit.AddAsync(Now, "ops", AuditActions.NodeStop, "a1", AuditOutcome.Accepted, null);

        await database.IdentifyClusterAsync(ClusterB, Now);
        await audit.AddAsync(Now, "ops", AuditActions.NodeStop, "b1", AuditOutcome.Accepted, null);

        var (items, total) = await audit.ListAsync(1, 10);
        Assert.Equal(1, total);
        Assert.Equal("b1", Assert.Single(items).Subject);
    }

    [Fact]
    public async Task A_cluster_identified_after_the_start_loads_its_records_and_claims_those_written_before()
    {
        var (database, _, registry) = Open();
        await database.IdentifyClusterAsync(ClusterA, Now);
        await registry.AddAsync(new Job("job-of-a", Now, Finished: true));

        // The next start: the cluster does not answer yet, a record is written meanwhile.
        (database, _, registry) = Open();
        await registry.StartAsync();
        Assert.Empty(registry.List(1, 10).Items);
        await registry.AddAsync(new Job("written-before-it-answered", Now, Finished: true));

        await database.IdentifyClusterAsync(ClusterA, Now);

        Assert.Equal(["job-of-a", "written-before-it-answered"], registry.List(1, 10).Items.Select(j => j.Id).Order());
        Assert.Equal(1, registry.Reloads);
    }

    [Fact]
    public async Task Rows_of_a_version_before_clusters_were_told_apart_are_claimed_by_the_first_cluster_identified()
    {
        using (var old = new SqliteConnection($"Data Source={_path};Pooling=false"))
        {
            old.Open();
            using var create = old.CreateCommand();
            create.CommandText = """
                CREATE TABLE jobs (id TEXT PRIMARY KEY, created_at TEXT NOT NULL, state TEXT NOT NULL, idempotency_key TEXT UNIQUE, body TEXT NOT NULL);
                INSERT INTO jobs VALUES ('old-job', '2026-01-01T00:00:00.0000000Z', 'done', NULL, '{"id":"old-job","createdAt":"2026-01-01T00:00:00+00:00","finished":true}');
                """;
            create.ExecuteNonQuery();
        }

        var (database, _, registry) = Open();
        await database.IdentifyClusterAsync(ClusterA, Now);
        await registry.StartAsync();
        Assert.Equal("old-job", Assert.Single(registry.List(1, 10).Items).Id);

        (database, _, registry) = Open();
        await database.IdentifyClusterAsync(ClusterB, Now);
        await registry.StartAsync();
        Assert.Empty(registry.List(1, 10).Items);
    }

    public void Dispose()
    {
        foreach (var opened in Enumerable.Reverse(_opened))
        {
            opened.Dispose();
        }

        foreach (var file in new[] { _path, _path + "-wal", _path + "-shm" })
        {
            File.Delete(file);
        }
    }

    /// <summary>The database, a store and a registry over it, as a dashboard start opens them.</summary>
    private (DashboardDatabase Database, JobStore Store, JobRegistry Registry) Open()
    {
        var database = Track(new DashboardDatabase(_path));
        var store = Track(new JobStore(database));
        return (database, store, Track(new JobRegistry(store)));
    }

    private T Track<T>(T disposable)
        where T : IDisposable
    {
        _opened.Add(disposable);
        return disposable;
    }

    /// <summary>A record type of the test's own: the cluster scoping comes with <see cref="RecordStore{T}"/>.</summary>
    private sealed record Job(string Id, DateTimeOffset CreatedAt, bool Finished) : IRecord
    {
        public string? IdempotencyKey => null;

        public bool IsFinished => Finished;

        public string StateName => Finished ? "done" : "running";
    }

    private sealed class JobStore(DashboardDatabase database) : RecordStore<Job>(database, "jobs");

    private sealed class JobRegistry(JobStore store) : RecordRegistry<Job>(store, "job")
    {
        public int Reloads { get; private set; }

        public Task<int> StartAsync() => LoadAsync(CancellationToken.None);

        protected override void OnReloaded(int unfinished) => Reloads++;
    }
}
