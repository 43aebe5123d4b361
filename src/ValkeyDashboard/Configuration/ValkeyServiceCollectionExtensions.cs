using Microsoft.Extensions.Options;
using ValkeyDashboard.Cluster.Audit;
using ValkeyDashboard.Cluster.Configuration;
using ValkeyDashboard.Cluster.Connections;
using ValkeyDashboard.Cluster.Hosting;
using ValkeyDashboard.Cluster.Migrations;
using ValkeyDashboard.Cluster.Monitoring;

namespace ValkeyDashboard;

internal static class ValkeyServiceCollectionExtensions
{
    /// <summary>
    /// The cluster core: options from the <c>Valkey</c> section, the embedded host (started only in
    /// Embedded mode), the connection and the monitor. Hosted services start in this order and stop in reverse,
    /// so the cluster is up before the monitor reads it and the monitor stops before the nodes do.
    /// </summary>
    public static IServiceCollection AddValkeyCluster(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ValkeyOptions>()
            .Bind(configuration.GetSection(ValkeyOptions.SectionName))
            .ValidateDataAnnotations()
            .Validate(o => o.Mode != ValkeyMode.External || o.External.Endpoints.Count > 0,
                "Valkey:Mode is External but Valkey:External:Endpoints is empty; give at least one host:port of the cluster.")
            .Validate(o => o.PollInterval >= TimeSpan.FromMilliseconds(100), "Valkey:PollInterval must be at least 100 ms.")
            .ValidateOnStart();
        // The embedded cluster always has a password: the configured one, or one generated once and kept with its data.
        services.PostConfigure<ValkeyOptions>(o =>
        {
            if (o.Mode == ValkeyMode.Embedded && string.IsNullOrEmpty(o.Password))
            {
                o.Password = EmbeddedPassword.LoadOrCreate(Path.GetFullPath(o.Embedded.DataDirectory));
            }
        });
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<ValkeyOptions>>().Value);
        services.AddSingleton(TimeProvider.System);

        services.AddSingleton<LocalClusterHost>();
        services.AddSingleton<IClusterSeedSource>(sp =>
            sp.GetRequiredService<ValkeyOptions>().Mode == ValkeyMode.Embedded
                ? sp.GetRequiredService<LocalClusterHost>()
                : new ExternalClusterSeeds(sp.GetRequiredService<ValkeyOptions>()));
        services.AddHostedService<EmbeddedClusterService>();

        services.AddSingleton<ValkeyConnection>();
        services.AddSingleton<ClusterMonitor>();
        services.AddSingleton<IClusterSnapshotSource>(sp => sp.GetRequiredService<ClusterMonitor>());
        services.AddHostedService(sp => sp.GetRequiredService<ClusterMonitor>());

        services.AddSingleton(sp => new MigrationStore(configuration["Dashboard:DatabasePath"] ?? ".data/dashboard.db"));
        services.AddSingleton(sp => new AuditLog(configuration["Dashboard:DatabasePath"] ?? ".data/dashboard.db"));
        services.AddSingleton<EmbeddedNodeService>();
        services.AddSingleton<INodeCommands>(sp => sp.GetRequiredService<EmbeddedNodeService>());
        services.AddSingleton(configuration.GetSection("Migrations").Get<SlotMigrationOptions>() ?? new SlotMigrationOptions());
        services.AddSingleton<SlotMigrationService>();
        services.AddSingleton<ISlotMigrations>(sp => sp.GetRequiredService<SlotMigrationService>());
        services.AddHostedService(sp => sp.GetRequiredService<SlotMigrationService>());
        return services;
    }
}

/// <summary>Starts and stops the embedded cluster with the web host; does nothing in External mode.</summary>
internal sealed class EmbeddedClusterService(ValkeyOptions options, IServiceProvider services, ILogger<EmbeddedClusterService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Mode != ValkeyMode.Embedded)
        {
            logger.LogInformation("External mode: managing the cluster at {Endpoints}; no Valkey process is started", string.Join(", ", options.External.Endpoints));
            return;
        }

        await services.GetRequiredService<LocalClusterHost>().StartAsync(cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (options.Mode == ValkeyMode.Embedded)
        {
            await services.GetRequiredService<LocalClusterHost>().StopAsync();
        }
    }
}
