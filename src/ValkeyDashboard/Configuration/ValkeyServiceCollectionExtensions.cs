using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ValkeyDashboard.Cluster.Audit;
using ValkeyDashboard.Cluster.Configuration;
using ValkeyDashboard.Cluster.Connections;
using ValkeyDashboard.Cluster.Doctor;
using ValkeyDashboard.Cluster.Hosting;
using ValkeyDashboard.Cluster.Migrations;
using ValkeyDashboard.Cluster.Migrations.Atomic;
using ValkeyDashboard.Cluster.Migrations.Keys;
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
    /// storage, the audit log, the migration core, the plans, the restarts and the doctor. Hosted services start in this order and stop in
    /// reverse: the cluster is up before the monitor reads it, the histories are loaded before the tracker and the plan
    /// runner follow them, and the nodes stop last.
    /// </summary>
    /// <param name="services">The root services (the default cluster) or a further cluster's own (<see cref="Clusters.DashboardClusters"/>).</param>
    /// <param name="configuration">The app's configuration.</param>
    /// <param name="clusterIndex">Which entry of <c>Valkey:Clusters</c> is laid over the <c>Valkey</c> section (none when the list is empty).</param>
    public static IServiceCollection AddValkeyCluster(this IServiceCollection services, IConfiguration configuration, int clusterIndex = 0)
    {
        services.AddOptions<ValkeyOptions>()
            .Bind(configuration.GetSection(ValkeyOptions.SectionName))
            .Configure(o => ClusterDefinitions.Overlay(o, configuration, clusterIndex))
            .ValidateDataAnnotations()
            .Validate(o => o.Mode != ValkeyMode.External || o.External.Endpoints.Count > 0,
                "Valkey:Mode is External but Valkey:External:Endpoints is empty; give at least one host:port of the cluster.")
            .Validate(o => o.PollInterval >= TimeSpan.FromMilliseconds(100), "Valkey:PollInterval must be at least 100 ms.")
            .Validate(o => o.CommandTimeout > TimeSpan.Zero, "Valkey:CommandTimeout must be positive.")
            .Validate(o => o.Monitor.KeyCountSweepInterval >= TimeSpan.FromSeconds(1) && o.Monitor.KeyCountSweepInterval <= TimeSpan.FromHours(1),
                "Valkey:Monitor:KeyCountSweepInterval must be between 1 second and 1 hour.")
            .Validate(o => o.Monitor.KeyCountBatchSize is >= 1 and <= Cluster.Model.SlotRange.SlotCount, "Valkey:Monitor:KeyCountBatchSize must be between 1 and 16384.")
            .Validate(o => o.Monitor.MaxConcurrentNodeRequests is >= 1 and <= 1000, "Valkey:Monitor:MaxConcurrentNodeRequests must be between 1 and 1000.")
            .Validate(o => o.Monitor.MaxPollInterval >= o.PollInterval && o.Monitor.MaxPollInterval <= TimeSpan.FromMinutes(10),
                "Valkey:Monitor:MaxPollInterval must be at least Valkey:PollInterval and at most 10 minutes.")
            .Validate(o => o.RemoveGracePeriod >= TimeSpan.Zero && o.RemoveGracePeriod <= TimeSpan.FromMinutes(5), "Valkey:RemoveGracePeriod must be between 0 and 5 minutes.")
            .Validate(o => o.Embedded.FailoverGracePeriod >= TimeSpan.Zero && o.Embedded.FailoverGracePeriod <= TimeSpan.FromMinutes(5),
                "Valkey:Embedded:FailoverGracePeriod must be between 0 and 5 minutes.")
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ValkeyOptions>>(new TlsFilesValidation());
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
        services.AddOptions<KeyMigrationOptions>()
            .Bind(configuration.GetSection(KeyMigrationOptions.SectionName))
            .ValidateDataAnnotations()
            .Validate<IOptions<ValkeyOptions>>((keys, valkey) => keys.MigrateTimeout < valkey.Value.CommandTimeout,
                "Migrations:Keys:MigrateTimeout must be shorter than Valkey:CommandTimeout, which bounds how long the dashboard waits for a MIGRATE's answer.")
            .ValidateOnStart();
        services.AddOptions<PlanOptions>()
            .Bind(configuration.GetSection(PlanOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<DoctorOptions>()
            .Bind(configuration.GetSection(DoctorOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<DatabaseOptions>()
            .Bind(configuration.GetSection(DatabaseOptions.SectionName))
            .Validate(o => !string.IsNullOrWhiteSpace(o.DatabasePath), "Dashboard:DatabasePath is not resolved (AddDataDirectory resolves it under Dashboard:DataDirectory).")
            .ValidateOnStart();
        // A further cluster's container is handed the app's clock first.
        services.TryAddSingleton(TimeProvider.System);

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
        // Both engines; each migration runs on the one chosen for it (MigrationEngineChoice) and named in its record.
        services.AddSingleton<IMigrationEngine, AtomicMigrationEngine>();
        services.AddSingleton<KeyMigrationEngine>();
        services.AddSingleton<IMigrationEngine>(sp => sp.GetRequiredService<KeyMigrationEngine>());
        services.AddHostedService(sp => sp.GetRequiredService<KeyMigrationEngine>());
        services.AddSingleton<MigrationEngines>();
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

        // The doctor: each check one class; adding a check is adding it to ClusterDoctor.AllChecks.
        foreach (var check in ClusterDoctor.AllChecks)
        {
            services.AddSingleton(check);
        }

        services.AddSingleton<ClusterDoctor>();
        services.AddSingleton<IClusterDoctor>(sp => sp.GetRequiredService<ClusterDoctor>());
        services.AddHostedService(sp => sp.GetRequiredService<ClusterDoctor>());
        return services;
    }

    /// <summary>The TLS setting whose file does not exist (with the full path looked at), or null when all that are set exist.</summary>
    internal static string? MissingTlsFile(ValkeyOptions options)
    {
        foreach (var (setting, path) in new[]
        {
            ("Valkey:TlsCaFile", options.TlsCaFile),
            ("Valkey:TlsClientCertificateFile", options.TlsClientCertificateFile),
            ("Valkey:TlsClientKeyFile", options.TlsClientKeyFile),
        })
        {
            if (options.Tls && !string.IsNullOrWhiteSpace(path) && !File.Exists(path))
            {
                return $"{setting} names {path}, which does not exist (a relative path is taken from the content root).";
            }
        }

        return null;
    }
}

/// <summary>Names the TLS file of the settings that does not exist, with the full path it was looked for at.</summary>
internal sealed class TlsFilesValidation : IValidateOptions<ValkeyOptions>
{
    public ValidateOptionsResult Validate(string? name, ValkeyOptions options) =>
        ValkeyServiceCollectionExtensions.MissingTlsFile(options) is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
}
