using Microsoft.Extensions.Options;
using ValkeyDashboard.Cluster.Audit;
using ValkeyDashboard.Cluster.Storage;

namespace ValkeyDashboard.Cluster.Tests;

/// <summary>
/// The audit log stays within <c>Dashboard:Audit</c>: entries older than the retention and beyond the most entries are
/// deleted as new ones are written, oldest first, so nobody can grow the table without bound.
/// </summary>
public sealed class AuditRetentionTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"audit-retention-{Guid.NewGuid():N}.db");
    private readonly AuditStore _store;
    private readonly MovingTime _time = new(new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.Zero));

    private readonly DashboardDatabase _database;

    public AuditRetentionTests()
    {
        _database = new DashboardDatabase(_path);
        _store = new AuditStore(_database);
    }

    [Fact]
    public async Task Beyond_the_most_entries_the_oldest_are_deleted()
    {
        using var audit = Audit(new AuditRetentionOptions { MaxEntries = 3 });

        for (var i = 1; i <= 5; i++)
        {
            await audit.RecordAsync("api", AuditActions.MigrationStart, $"try {i}", AuditOutcome.Refused, null);
        }

        var (items, total) = await audit.ListAsync(1, 10);
        Assert.Equal(3, total);
        Assert.Equal(["try 5", "try 4", "try 3"], items.Select(e => e.Subject));
    }

    [Fact]
    public async Task The_most_entries_count_per_cluster_so_a_busy_cluster_keeps_another_clusters_trail()
    {
        // Two clusters in one database file (the dashboard managing both): B writes far more than the cap.
        await _database.IdentifyClusterAsync(["a1", "a2", "a3"], _time.GetUtcNow());
        using var auditOfA = Audit(new AuditRetentionOptions { MaxEntries = 3 });
        await auditOfA.RecordAsync("api", AuditActions.MigrationStart, "a's only entry", AuditOutcome.Accepted, null);
        using var databaseOfB = new DashboardDatabase(_path);
        await databaseOfB.IdentifyClusterAsync(["b1", "b2", "b3"], _time.GetUtcNow());
        using var auditOfB = new AuditLog(new AuditStore(databaseOfB), _time, retention: Options.Create(new AuditRetentionOptions { MaxEntries = 3 }));

        for (var i = 1; i <= 6; i++)
        {
            await auditOfB.RecordAsync("api", AuditActions.MigrationStart, $"b {i}", AuditOutcome.Accepted, null);
        }

        Assert.Equal(["a's only entry"], (await auditOfA.ListAsync(1, 10)).Items.Select(e => e.Subject));
        Assert.Equal(["b 6", "b 5", "b 4"], (await auditOfB.ListAsync(1, 10)).Items.Select(e => e.Subject));
    }

    [Fact]
    public async Task Entries_older_than_the_retention_are_deleted_and_younger_ones_kept()
    {
        using var audit = Audit(new AuditRetentionOptions { RetentionDays = 90 });
        await audit.RecordAsync("api", AuditActions.NodeStop, "old", AuditOutcome.Accepted, null);
        _time.Advance(TimeSpan.FromDays(60));
        await audit.RecordAsync("api", AuditActions.NodeStop, "younger", AuditOutcome.Accepted, null);

        _time.Advance(TimeSpan.FromDays(31));
        await audit.RecordAsync("api", AuditActions.NodeStop, "new", AuditOutcome.Accepted, null);

        Assert.Equal(["new", "younger"], (await audit.ListAsync(1, 10)).Items.Select(e => e.Subject));
    }

    [Fact]
    public void The_defaults_keep_90_days_and_at_most_100000_entries()
    {
        var defaults = new AuditRetentionOptions();

        Assert.Equal((90, 100_000), (defaults.RetentionDays, defaults.MaxEntries));
    }

    [Fact]
    public async Task A_counting_entrys_detail_is_brought_up_to_date_in_place()
    {
        using var audit = Audit(new AuditRetentionOptions());
        var entry = await audit.RecordAsync("browser", AuditActions.SignIn, "from 127.0.0.1", AuditOutcome.Refused, "1 refused sign-in");

        Assert.True(await audit.ReviseDetailAsync(entry!.Id, "7 refused sign-ins"));

        var stored = Assert.Single((await audit.ListAsync(1, 10)).Items);
        Assert.Equal((entry.Id, "7 refused sign-ins"), (stored.Id, stored.Detail));
    }

    public void Dispose()
    {
        _store.Dispose();
        _database.Dispose();
        foreach (var file in new[] { _path, _path + "-wal", _path + "-shm" })
        {
            File.Delete(file);
        }
    }

    private AuditLog Audit(AuditRetentionOptions retention) => new(_store, _time, null, Options.Create(retention));

    private sealed class MovingTime(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public void Advance(TimeSpan by) => _now += by;

        public override DateTimeOffset GetUtcNow() => _now;
    }
}
