using Microsoft.Extensions.Options;
using ValkeyDashboard.Clusters;

namespace ValkeyDashboard;

internal static class DashboardClustersExtensions
{
    /// <summary>
    /// <c>Valkey:Clusters</c> (checked at start) and the further clusters' containers. Call after every other
    /// registration: the further clusters start after the app's own services and stop before them.
    /// </summary>
    public static IServiceCollection AddDashboardClusters(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddClusterList(configuration);
        services.AddSingleton(sp => new ClusterName(sp.GetRequiredService<IOptions<ValkeyClusterListOptions>>().Value.Names[0]));
        services.AddSingleton<DashboardClusters>();
        services.AddSingleton<IClusterFleet, DashboardFleet>();
        services.AddHostedService(sp => sp.GetRequiredService<DashboardClusters>());
        return services;
    }

    /// <summary>The <c>Valkey:Clusters</c> list alone (the token check reads its names); registered once however often called.</summary>
    public static IServiceCollection AddClusterList(this IServiceCollection services, IConfiguration configuration)
    {
        if (services.Any(d => d.ServiceType == typeof(IValidateOptions<ValkeyClusterListOptions>)))
        {
            // A second Bind would append the list's entries to the first's.
            return services;
        }

        services.AddOptions<ValkeyClusterListOptions>()
            .Bind(configuration.GetSection(Cluster.Configuration.ValkeyOptions.SectionName))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ValkeyClusterListOptions>, ValkeyClusterListValidator>();
        return services;
    }
}
