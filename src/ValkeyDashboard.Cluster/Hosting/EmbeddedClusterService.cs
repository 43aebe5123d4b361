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
    // Kept from the start: a host can be stopped after its container was disposed, when nothing can be resolved.
    private LocalClusterHost? _host;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Mode != ValkeyMode.Embedded)
        {
            logger.LogInformation("External mode: managing the cluster at {Endpoints}; no Valkey process is started", string.Join(", ", options.Value.External.Endpoints));
            return;
        }

        _host = services.GetRequiredService<LocalClusterHost>();
        await _host.StartAsync(cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_host is { } host)
        {
            await host.StopAsync();
        }
    }
}
