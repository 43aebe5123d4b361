using Microsoft.Extensions.Logging;
using ValkeyDashboard.Cluster.Audit;
using ValkeyDashboard.Cluster.Migrations;
using ValkeyDashboard.Cluster.Migrations.Atomic;
using ValkeyDashboard.Cluster.Migrations.Keys;
using ValkeyDashboard.Cluster.Storage;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Parsing;

namespace ValkeyDashboard.IntegrationTests.Infrastructure;

/// <summary>
/// An embedded cluster with keys in it and the dashboard's migration core over it (registry, both engines, commands
/// and tracker, composed as the app composes them; history and audit in a scratch SQLite file): what migration tests
/// run against.
/// </summary>
public sealed class MigrationCluster : IAsyncDisposable
{
    public const int SeedKeys = 20_000;

    private MigrationCluster(EmbeddedCluster cluster, string databasePath)
    {
        Cluster = cluster;
        DatabasePath = databasePath;
        Database = new DashboardDatabase(databasePath);
        AuditStore = new AuditStore(Database);
        Audit = new AuditLog(AuditStore);
        Store = new MigrationStore(Database);
        Core = new MigrationCore(this, Store, new SlotMigrationOptions(), new KeyMigrationOptions());
    }

    public EmbeddedCluster Cluster { get; }

    public string DatabasePath { get; }

    /// <summary>The history's database (no cluster identified: these tests use one cluster per file).</summary>
    public DashboardDatabase Database { get; }

    public MigrationStore Store { get; private set; }

    public AuditStore AuditStore { get; }

    public AuditLog Audit { get; }

    /// <summary>The running migration core; replaced by <see cref="RestartServiceAsync"/>.</summary>
    public MigrationCore Core { get; private set; }

    /// <summary>The commands (start, preflight, cancel) and reads, as the API and the UI use them.</summary>
    public MigrationCommands Service => Core.Commands;

    /// <summary>The registry of migrations (history and waits).</summary>
    public MigrationRegistry Registry => Core.Registry;

    public static async Task<MigrationCluster> StartAsync(int primaries = 3, int replicasPerPrimary = 1)
    {
        var cluster = await EmbeddedCluster.StartAsync(EmbeddedCluster.CreateOptions(primaries, replicasPerPrimary));
        var migrations = new MigrationCluster(cluster, Path.Combine(cluster.DataDirectory, "dashboard.db"));
        await migrations.Core.StartAsync();
        await migrations.SeedAsync();
        return migrations;
    }

    /// <summary>
    /// Stops the migration service and starts a new one on the same history, as a dashboard restart does (with other
    /// settings when given; restart again without them to put the defaults back).
    /// </summary>
    public async Task RestartServiceAsync(SlotMigrationOptions? options = null, KeyMigrationOptions? keyOptions = null)
    {
        await Core.DisposeAsync();
        Store.Dispose();
        Store = new MigrationStore(Database);
        Core = new MigrationCore(this, Store, options ?? new SlotMigrationOptions(), keyOptions ?? new KeyMigrationOptions());
        await Core.StartAsync();
    }

    /// <summary>Primaries in port order (stable across migrations, unlike snapshot order).</summary>
    public async Task<IReadOnlyList<ClusterNode>> PrimariesAsync() =>
        [.. (await Cluster.Monitor.PollOnceAsync()).Primaries.OrderBy(p => p.Endpoint, StringComparer.Ordinal)];

    /// <summary>The first <paramref name="count"/> slots the node owns that hold keys.</summary>
    public async Task<SlotRangeSet> SlotsOfAsync(ClusterNode node, int count)
    {
        var snapshot = await Cluster.Monitor.PollOnceAsync();
        var owned = snapshot.FindNode(node.Id)!.Slots;
        return SlotRangeSet.FromSlots(owned.Slots().Where(s => snapshot.SlotStatistics.KeyCount[s] > 0).Take(count));
    }

    /// <summary>
    /// A slot the node owns that holds no key, checked on the node itself (<c>CLUSTER COUNTKEYSINSLOT</c>), not in the
    /// monitor's last figures: for a test that needs the keys of a slot to be only its own.
    /// </summary>
    public async Task<int> EmptySlotOfAsync(ClusterNode node)
    {
        var snapshot = await Cluster.Monitor.PollOnceAsync();
        foreach (var slot in snapshot.FindNode(node.Id)!.Slots.Slots().Where(s => snapshot.SlotStatistics.KeyCount[s] == 0))
        {
            if ((long)await Cluster.Connection.ExecuteAsync(node.Endpoint, "CLUSTER", "COUNTKEYSINSLOT", slot) == 0)
            {
                return slot;
            }
        }

        throw new InvalidOperationException($"{node.Endpoint} owns no slot without keys");
    }

    public async Task<long> CountKeysAsync(string endpoint, SlotRangeSet slots)
    {
        var counts = await Task.WhenAll(slots.Slots().Select(s => Cluster.Connection.ExecuteAsync(endpoint, "CLUSTER", "COUNTKEYSINSLOT", s)));
        return counts.Sum(c => (long)c);
    }

    /// <summary>Σ DBSIZE over the primaries that are up (after a failover the dead one is still listed, failed and without slots).</summary>
    public async Task<long> TotalKeysAsync()
    {
        long total = 0;
        foreach (var primary in (await PrimariesAsync()).Where(p => p.Health == NodeHealth.Online))
        {
            total += (long)await Cluster.Connection.ExecuteAsync(primary.Endpoint, "DBSIZE");
        }

        return total;
    }

    /// <summary>Who owns each slot according to <c>CLUSTER SHARDS</c> (read fresh, not from the monitor).</summary>
    public async Task<SlotRangeSet> OwnedByAsync(ClusterNode node)
    {
        var shards = ClusterShardsParser.Parse(await Cluster.Connection.ExecuteAsync(node.Endpoint, "CLUSTER", "SHARDS"));
        return shards.Single(s => s.Primary?.Id == node.Id).Slots;
    }

    public async ValueTask DisposeAsync()
    {
        await Core.DisposeAsync();
        Store.Dispose();
        Audit.Dispose();
        AuditStore.Dispose();
        Database.Dispose();
        await Cluster.DisposeAsync();
    }

    /// <summary>The migration core over one history, composed as the app's service registration composes it.</summary>
    public sealed class MigrationCore : IAsyncDisposable
    {
        public MigrationCore(MigrationCluster owner, MigrationStore store, SlotMigrationOptions options, KeyMigrationOptions keyOptions)
        {
            var wrapped = Microsoft.Extensions.Options.Options.Create(options);
            var cluster = owner.Cluster;
            Registry = new MigrationRegistry(store, TestLogging.Factory.CreateLogger<MigrationRegistry>());
            Engine = new AtomicMigrationEngine(cluster.Admin, cluster.Monitor, Registry, wrapped, TimeProvider.System, TestLogging.Factory.CreateLogger<AtomicMigrationEngine>());
            KeyEngine = new KeyMigrationEngine(
                cluster.Admin, cluster.Monitor, Microsoft.Extensions.Options.Options.Create(keyOptions), cluster.ValkeyOptions, cluster.Host, TimeProvider.System, TestLogging.Factory);
            var engines = new MigrationEngines([Engine, KeyEngine]);
            Commands = new MigrationCommands(Registry, engines, cluster.Admin, cluster.Monitor, owner.Audit, wrapped, TimeProvider.System, TestLogging.Factory.CreateLogger<MigrationCommands>());
            Tracker = new MigrationTracker(Registry, engines, cluster.Admin, cluster.Monitor, wrapped, TimeProvider.System, TestLogging.Factory.CreateLogger<MigrationTracker>());
        }

        public MigrationRegistry Registry { get; }

        public AtomicMigrationEngine Engine { get; }

        /// <summary>The key-by-key engine (its workers stop with this core, as they stop with the dashboard).</summary>
        public KeyMigrationEngine KeyEngine { get; }

        public MigrationCommands Commands { get; }

        public MigrationTracker Tracker { get; }

        /// <summary>Loads the history and starts following, as the host starts the services.</summary>
        public async Task StartAsync()
        {
            await Registry.StartAsync(CancellationToken.None);
            await Tracker.StartAsync(CancellationToken.None);
        }

        public async ValueTask DisposeAsync()
        {
            await Tracker.DisposeAsync();
            await KeyEngine.DisposeAsync();
            await Registry.StopAsync(CancellationToken.None);
            Commands.Dispose();
        }
    }

    private async Task SeedAsync()
    {
        await using var client = await Cluster.ConnectClientAsync();
        var db = client.GetDatabase();
        var value = new string('v', 100);
        for (var batch = 0; batch < SeedKeys; batch += 2_000)
        {
            await Task.WhenAll(Enumerable.Range(batch, 2_000).Select(i => db.StringSetAsync($"seed:{i}", value)));
        }
    }
}
