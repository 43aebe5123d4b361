using Microsoft.Extensions.Options;
using ValkeyDashboard.Cluster.Audit;
using ValkeyDashboard.Cluster.Configuration;
using ValkeyDashboard.Cluster.Connections;
using ValkeyDashboard.Cluster.Hosting;
using ValkeyDashboard.Cluster.Migrations;
using ValkeyDashboard.Cluster.Migrations.Atomic;
using ValkeyDashboard.Cluster.Monitoring;
using ValkeyDashboard.Cluster.Plans;
using ValkeyDashboard.Cluster.Restarts;
using ValkeyDashboard.Cluster.Storage;

namespace ValkeyDashboard;

internal static class ValkeyServiceCollectionExtensions
{
    /// <summary>
    /// The cluster core: options of the <c>Valkey</c>, <c>Migrations</c>, <c>Plans</c> and <c>Dashboard</c> sections
    /// (validated at start), the embedded host (started only in Embedded mode), the admin client, the monitor, the
    /// storage, the audit log, the migration core and the plans. Hosted services start in this order and stop in
    /// reverse: the cluster is up before the monitor reads it, the histories are loaded before the tracker and the plan
    /// runner follow them, and the nodes stop last.
    /// </summary>
    public static IServiceCollection AddValkeyCluster(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ValkeyOptions>()
            .Bind(configuration.GetSection(ValkeyOptions.SectionName))
            .ValidateDataAnnotations()
            .Validate(o => o.Mode != ValkeyMode.External || o.External.Endpoints.Count > 0,
                "Valkey:Mode is External but Valkey:External:Endpoints is empty; give at least one host:port of the cluster.")
            .Validate(o => o.PollInterval >= TimeSpan.FromMilliseconds(100), "Valkey:PollInterval must be at least 100 ms.")
            .Validate(o => o.CommandTimeout > TimeSpan.Zero, "Valkey:CommandTimeout must be positive.")
            .Validate(o => o.RemoveGracePeriod >= TimeSpan.Zero && o.RemoveGracePeriod <= TimeSpan.FromMinutes(5), "Valkey:RemoveGracePeriod must be between 0 and 5 minutes.")
            .Validate(o => o.Embedded.FailoverGracePeriod >= TimeSpan.Zero && o.Embedded.FailoverGracePeriod <= TimeSpan.FromMinutes(5),
                "Valkey:Embedded:FailoverGracePeriod must be between 0 and 5 minutes.")
            .ValidateOnStart();
        // The embedded cluster always has a password: the configured one, or one generated once and kept with its data.
        services.PostConfigure<ValkeyOptions>(o =>
        {
            if (o.Mode == ValkeyMode.Embedded && string.IsNullOrEmpty(o.Password))
            {
                o.Password = EmbeddedPassword.LoadOrCreate(Path.GetFullPath(o.Embedded.DataDirectory!));
            }
        });
        services.AddOptions<SlotMigrationOptions>()
            .Bind(configuration.GetSection(SlotMigrationOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<PlanOptions>()
            .Bind(configuration.GetSection(PlanOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<DatabaseOptions>()
            .Bind(configuration.GetSection(DatabaseOptions.SectionName))
            .Validate(o => !string.IsNullOrWhiteSpace(o.DatabasePath), "Dashboard:DatabasePath is not resolved (AddDataDirectory resolves it under Dashboard:DataDirectory).")
            .ValidateOnStart();
        services.AddSingleton(TimeProvider.System);

        services.AddSingleton<LocalClusterHost>();
        services.AddSingleton<IClusterSeedSource>(sp =>
            sp.GetRequiredService<IOptions<ValkeyOptions>>().Value.Mode == ValkeyMode.Embedded
                ? sp.GetRequiredService<LocalClusterHost>()
                : new ExternalClusterSeeds(sp.GetRequiredService<IOptions<ValkeyOptions>>()));
        services.AddHostedService<EmbeddedClusterService>();

        services.AddSingleton<ValkeyConnection>();
        services.AddSingleton(sp => new ValkeyAdminClient(sp.GetRequiredService<ValkeyConnection>()));
        services.AddSingleton<ClusterMonitor>();
        services.AddSingleton<IClusterSnapshotSource>(sp => sp.GetRequiredService<ClusterMonitor>());
        services.AddHostedService(sp => sp.GetRequiredService<ClusterMonitor>());

        // One database for the histories and the audit log, which it keeps per cluster: the identifier tells it which
        // cluster this is before the histories load.
        services.AddSingleton(sp => new DashboardDatabase(sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.DatabasePath!));
        services.AddHostedService<ClusterIdentifier>();
        services.AddSingleton<MigrationStore>();
        services.AddSingleton<AuditStore>();
        services.AddSingleton<AuditLog>();

        services.AddSingleton<NodeService>();
        services.AddSingleton<INodeCommands>(sp => sp.GetRequiredService<NodeService>());

        services.AddSingleton<MigrationRegistry>();
        services.AddHostedService(sp => sp.GetRequiredService<MigrationRegistry>());
        services.AddSingleton<IMigrationEngine, AtomicMigrationEngine>();
        services.AddSingleton<MigrationCommands>();
        services.AddSingleton<ISlotMigrations>(sp => sp.GetRequiredService<MigrationCommands>());
        services.AddSingleton<MigrationTracker>();
        services.AddHostedService(sp => sp.GetRequiredService<MigrationTracker>());

        services.AddSingleton<SlotLoadWindow>();
        services.AddHostedService(sp => sp.GetRequiredService<SlotLoadWindow>());
        services.AddSingleton<SlotMemoryEstimator>();
        services.AddHostedService(sp => sp.GetRequiredService<SlotMemoryEstimator>());
        services.AddSingleton<PlanStore>();
        services.AddSingleton<PlanRegistry>();
        services.AddHostedService(sp => sp.GetRequiredService<PlanRegistry>());
        services.AddSingleton<PlanInputs>();
        services.AddSingleton<PlanCommands>();
        services.AddSingleton<IPlanCommands>(sp => sp.GetRequiredService<PlanCommands>());
        services.AddSingleton<PlanRunner>();
        services.AddHostedService(sp => sp.GetRequiredService<PlanRunner>());

        services.AddSingleton<NodeRestarter>();
        services.AddSingleton<RollingRestartStore>();
        services.AddSingleton<RollingRestartRegistry>();
        services.AddHostedService(sp => sp.GetRequiredService<RollingRestartRegistry>());
        services.AddSingleton<RollingRestartCommands>();
        services.AddSingleton<IRollingRestarts>(sp => sp.GetRequiredService<RollingRestartCommands>());
        services.AddSingleton<RollingRestartRunner>();
        services.AddHostedService(sp => sp.GetRequiredService<RollingRestartRunner>());
        return services;
    }
}
