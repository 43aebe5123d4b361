using ValkeyDashboard.Cluster.Connections;
using ValkeyDashboard.Cluster.Load;
using ValkeyDashboard.Cluster.Migrations.Impact;

namespace ValkeyDashboard;

internal static class ClientWorkloadExtensions
{
    /// <summary>
    /// The dashboard's own client traffic: the migration impact probe (<c>Dashboard:Probe</c>, begun and finished by the
    /// migration tracker) and the demo load (<c>Dashboard:Load</c>), each over a client connection of its own.
    /// </summary>
    public static IServiceCollection AddClientWorkloads(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<ClusterClients>();
        services.AddOptions<ImpactProbeOptions>()
            .Bind(configuration.GetSection(ImpactProbeOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<ImpactProbeMetrics>();
        services.AddSingleton<MigrationImpactProbe>();
        services.AddHostedService(sp => sp.GetRequiredService<MigrationImpactProbe>());

        services.AddOptions<DemoLoadOptions>()
            .Bind(configuration.GetSection(DemoLoadOptions.SectionName))
            .ValidateDataAnnotations()
            .Validate(o => o.DefaultKeys <= o.MaxKeys && o.DefaultValueBytes <= o.MaxValueBytes && o.DefaultOpsPerSecond <= o.MaxOpsPerSecond && o.DefaultDurationSeconds <= o.MaxDurationSeconds,
                "Dashboard:Load: each Default* must be within its Max*.")
            .ValidateOnStart();
        services.AddSingleton<DemoLoadService>();
        services.AddSingleton<IDemoLoad>(sp => sp.GetRequiredService<DemoLoadService>());
        services.AddHostedService(sp => sp.GetRequiredService<DemoLoadService>());
        return services;
    }
}
