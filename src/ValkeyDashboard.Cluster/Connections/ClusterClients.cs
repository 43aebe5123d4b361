using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using ValkeyDashboard.Cluster.Configuration;

namespace ValkeyDashboard.Cluster.Connections;

/// <summary>
/// Connections of the dashboard's own that behave like an application's client (data commands only, MOVED and ASK
/// followed by StackExchange.Redis), apart from the admin connection so their traffic neither waits behind nor delays
/// the monitor's commands: the migration impact probe and the demo load each hold one.
/// </summary>
public sealed class ClusterClients(IOptions<ValkeyOptions> options, IClusterSeedSource seeds, ILogger<ClusterClients> logger)
{
    /// <summary>A new multiplexer to the cluster, named <paramref name="clientName"/> in <c>CLIENT LIST</c>; the caller disposes it.</summary>
    public async Task<ConnectionMultiplexer> ConnectAsync(string clientName)
    {
        var endpoints = seeds.GetSeedEndpoints();
        var configuration = ValkeyConnection.CreateConfiguration(options.Value, endpoints);
        configuration.ClientName = clientName;
        configuration.AllowAdmin = false;
        logger.LogInformation("Connecting {ClientName} to Valkey at {Endpoints}", clientName, string.Join(", ", endpoints));
        return await ConnectionMultiplexer.ConnectAsync(configuration);
    }
}
