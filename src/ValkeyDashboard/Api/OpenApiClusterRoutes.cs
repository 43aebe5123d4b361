using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using ValkeyDashboard.Clusters;

namespace ValkeyDashboard.Api;

/// <summary>
/// Documents <c>/api/clusters/{name}/…</c>: a copy of every <c>/api/…</c> path (served by the same endpoint for that
/// cluster, see <see cref="ClusterRouting"/>) with the cluster's name as a path parameter.
/// </summary>
internal static class OpenApiClusterRoutes
{
    private const string OperationSuffix = "OfCluster";

    public static OpenApiOptions AddClusterRoutes(this OpenApiOptions options) => options.AddDocumentTransformer((document, _, _) =>
    {
        var unprefixed = document.Paths
            .Where(p => p.Key.StartsWith("/api/", StringComparison.Ordinal) && !p.Key.StartsWith(ClusterRouting.Prefix, StringComparison.Ordinal))
            .ToList();
        foreach (var (path, item) in unprefixed)
        {
            var copy = new OpenApiPathItem
            {
                Summary = item.Summary,
                Description = item.Description,
                Parameters = [NameParameter(), .. item.Parameters ?? []],
                Operations = [],
            };
            foreach (var (method, operation) in item.Operations ?? [])
            {
                copy.Operations[method] = new OpenApiOperation(operation)
                {
                    OperationId = operation.OperationId is null ? null : operation.OperationId + OperationSuffix,
                    Description = $"For the cluster {{name}} (GET {ClusterRouting.Prefix} lists them); {path} is the default cluster's. {operation.Description}".TrimEnd(),
                };
            }

            document.Paths[$"{ClusterRouting.Prefix}/{{name}}{path["/api".Length..]}"] = copy;
        }

        return Task.CompletedTask;
    });

    private static OpenApiParameter NameParameter() => new()
    {
        Name = "name",
        In = ParameterLocation.Path,
        Required = true,
        Description = "The cluster's name (Valkey:Clusters); 404 names the known ones, 403 when the token may not use it.",
        Schema = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = "^[a-z0-9][a-z0-9-]{0,62}$" },
    };
}
