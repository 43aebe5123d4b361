using ValkeyDashboard.Cluster.Audit;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using ValkeyDashboard.Cluster.Configuration;
using ValkeyDashboard.Cluster.Hosting;
using ValkeyDashboard.Cluster.Migrations;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Cluster.Plans;
using ValkeyDashboard.Cluster.Monitoring;
using ValkeyDashboard.Cluster.Concurrency;
using ValkeyDashboard.Cluster.Doctor;
using ValkeyDashboard.Cluster.Restarts;
using ValkeyDashboard.Cluster.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ValkeyDashboard.Model.HeatMap;
using ValkeyDashboard.Cluster.History;
using ValkeyDashboard.Model.History;

namespace ValkeyDashboard.Components.Tests;

/// <summary>
/// Shared set-up of every component test (MudBlazor's pattern): MudBlazor's services, loose JS interop for
/// MudBlazor's own JS, its popover, dialog and snackbar providers rendered first, a
/// <see cref="FakeClusterSnapshotSource"/> as the cluster the components see, a <see cref="FakeSlotMigrations"/>
/// as the migration service, <see cref="FakePlanCommands"/> as the plan service, <see cref="FakeNodeCommands"/> as the
/// node commands (available, as on the embedded cluster), <see cref="FakeRollingRestarts"/> as the rolling restarts, <see cref="FakeClusterDoctor"/> as the doctor, <see cref="FakeDemoLoad"/> as the demo load, <see cref="FakeClusterFleet"/> as the clusters, a
/// real <see cref="LocalClusterHost"/> that runs no node (so no node reads as adopted or drifted), and the real
/// <see cref="SlotHeatMapSource"/> following the fake cluster.
/// </summary>
public abstract class DashboardTestContext : BunitContext, IAsyncLifetime
{
    private static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(5);

    protected DashboardTestContext()
    {
        _auditPath = NewAuditPath();
        _database = new DashboardDatabase(_auditPath);
        _auditStore = new AuditStore(_database);
        Audit = new AuditLog(_auditStore);
        HistoryStore = new SlotHistoryStore(_database, keyframeEvery: 10);
        // Pages render behind a 150-200 ms throttle; a loaded build machine needs more than bUnit's default second.
        DefaultWaitTimeout = WaitTimeout;
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
        Services.AddSingleton<IClusterSnapshotSource>(Snapshots);
        Services.AddSingleton<ISlotMigrations>(Migrations);
        Services.AddSingleton<IPlanCommands>(Plans);
        Services.AddSingleton<INodeCommands>(Nodes);
        Services.AddSingleton<IRollingRestarts>(RollingRestarts);
        Services.AddSingleton<IClusterDoctor>(Doctor);
        Services.AddSingleton<Cluster.Load.IDemoLoad>(DemoLoad);
        Services.AddSingleton<Clusters.IClusterFleet>(Fleet);
        // A host that runs no node (never started): the page asks it only which node processes it has (none).
        Services.AddSingleton(_ => new LocalClusterHost(
            Microsoft.Extensions.Options.Options.Create(new ValkeyOptions { Embedded = { DataDirectory = Path.Combine(Path.GetTempPath(), "valkey-dashboard-components-no-cluster") } }),
            NullLoggerFactory.Instance));
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton<SlotHeatMapSource>();
        Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(new ValkeyOptions()));
        // The slot history is the real one, in the same scratch file: tests store points in it (HistoryStore).
        Services.AddSingleton(HistoryStore);
        Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(new SlotHistoryOptions()));
        Services.AddSingleton<SlotHistory>();
        Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(DashboardOptions));
        // The audit log is the real one, in a scratch SQLite file of this test's own.
        Services.AddSingleton(Audit);
        // Signed in as an operator unless a test says otherwise (ViewerOnly).
        Authorization = AddAuthorization();
        Authorization.SetAuthorized("tester");
        Authorization.SetRoles("operator");
        Popovers = Render<MudPopoverProvider>();
        Dialogs = Render<MudDialogProvider>();
        Snackbars = Render<MudSnackbarProvider>();
    }

    protected FakeClusterSnapshotSource Snapshots { get; } = new();

    /// <summary>The dashboard's settings the components read (e.g. when the nodes panel turns to a table); a test may change them before rendering.</summary>
    protected DashboardOptions DashboardOptions { get; } = new();

    protected BunitAuthorizationContext Authorization { get; }

    protected FakeSlotMigrations Migrations { get; } = new();

    protected FakeNodeCommands Nodes { get; } = new();

    protected FakePlanCommands Plans { get; } = new();

    protected FakeRollingRestarts RollingRestarts { get; } = new();

    protected FakeClusterDoctor Doctor { get; } = new();

    protected FakeDemoLoad DemoLoad { get; } = new();

    /// <summary>The clusters the overview page lists (none until a test publishes them).</summary>
    protected FakeClusterFleet Fleet { get; } = new();

    private static string NewAuditPath() => Path.Combine(Path.GetTempPath(), $"valkey-dashboard-audit-{Guid.NewGuid():N}.db");

    private readonly string _auditPath;

    private readonly DashboardDatabase _database;
    private readonly AuditStore _auditStore;

    protected AuditLog Audit { get; }

    /// <summary>The slot history the page reads (empty until a test identifies the cluster with <see cref="Database"/> and stores points).</summary>
    protected SlotHistoryStore HistoryStore { get; }

    /// <summary>The scratch database of the audit log and the slot history.</summary>
    protected DashboardDatabase Database => _database;

    /// <summary>Where popovers (a select's list of options) are rendered.</summary>
    protected IRenderedComponent<MudPopoverProvider> Popovers { get; }

    /// <summary>Where dialogs shown through <see cref="IDialogService"/> are rendered.</summary>
    protected IRenderedComponent<MudDialogProvider> Dialogs { get; }

    /// <summary>Where snackbars are rendered.</summary>
    protected IRenderedComponent<MudSnackbarProvider> Snackbars { get; }

    protected SlotHeatMapSource HeatMapSource => Services.GetRequiredService<SlotHeatMapSource>();

    /// <summary>Publishes <paramref name="snapshot"/> and waits until the heat map source has taken it in.</summary>
    protected Task PublishAndWaitForHeatMapAsync(ClusterSnapshot snapshot)
    {
        Snapshots.Publish(snapshot);
        return Wait.UntilAsync(
            _ => Task.FromResult(HeatMapSource.Current.Version == snapshot.Version),
            WaitTimeout,
            $"the heat map layers of snapshot {snapshot.Version}",
            TimeSpan.FromMilliseconds(10));
    }

    /// <summary>
    /// Waits for something no render reveals (a JS call, a service request), checking on the renderer's dispatcher
    /// where components make those calls; bUnit's <c>WaitForAssertion</c> checks only after renders.
    /// </summary>
    protected Task WaitUntilAsync(Func<bool> condition, string what) =>
        Wait.UntilAsync(async _ => await Renderer.Dispatcher.InvokeAsync(condition), WaitTimeout, what, TimeSpan.FromMilliseconds(10));

    async Task IAsyncLifetime.InitializeAsync()
    {
        // Since .NET 10 a BackgroundService runs ExecuteAsync in the background: wait until it follows the cluster.
        await HeatMapSource.StartAsync(CancellationToken.None);
        await Wait.UntilAsync(
            _ => Task.FromResult(Snapshots.SubscriberCount == 1),
            WaitTimeout,
            "the heat map source to follow the cluster",
            TimeSpan.FromMilliseconds(10));
    }

    // MudBlazor's services are async-disposable only, so the container must be disposed asynchronously.
    async Task IAsyncLifetime.DisposeAsync()
    {
        await HeatMapSource.StopAsync(CancellationToken.None);
        await DisposeAsync();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Snapshots.Dispose();
            Migrations.Dispose();
            Plans.Dispose();
            RollingRestarts.Dispose();
            Doctor.Dispose();
            Fleet.Dispose();
            Audit.Dispose();
            _auditStore.Dispose();
            HistoryStore.Dispose();
            _database.Dispose();
            foreach (var file in new[] { _auditPath, _auditPath + "-wal", _auditPath + "-shm" })
            {
                File.Delete(file);
            }
        }

        base.Dispose(disposing);
    }
}
