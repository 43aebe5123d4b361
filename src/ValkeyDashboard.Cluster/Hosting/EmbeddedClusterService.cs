using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ValkeyDashboard.Cluster.Configuration;

namespace ValkeyDashboard.Cluster.Hosting;

/// <summary>
/// Starts and stops the embedded cluster with the host (registered first, so the nodes are up before the monitor reads
/// them and stop after it); does nothing in External mode.
/// </summary>
public sealed class EmbeddedClusterService(IOptions<ValkeyOptions> options, IServiceProvider services, ILogger<EmbeddedClusterService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Mode != ValkeyMode.Embedded)
        {
            logger.LogInformation("External mode: managing the cluster at {Endpoints}; no Valkey process is started", string.Join(", ", options.Value.External.Endpoints));
            return;
        }

        await services.GetRequiredService<LocalClusterHost>().StartAsync(cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Mode == ValkeyMode.Embedded)
        {
            await services.GetRequiredService<LocalClusterHost>().StopAsync();
        }
    }
}
