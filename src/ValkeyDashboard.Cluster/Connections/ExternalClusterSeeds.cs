using Microsoft.Extensions.Options;
using ValkeyDashboard.Cluster.Configuration;

namespace ValkeyDashboard.Cluster.Connections;

/// <summary>Seeds of an existing cluster, from <c>Valkey:External:Endpoints</c>.</summary>
public sealed class ExternalClusterSeeds(IOptions<ValkeyOptions> options) : IClusterSeedSource
{
    public IReadOnlyList<string> GetSeedEndpoints() =>
        options.Value.External.Endpoints.Count > 0
            ? options.Value.External.Endpoints
            : throw new InvalidOperationException("Valkey:Mode is External but Valkey:External:Endpoints is empty; give at least one host:port of the cluster.");
}
