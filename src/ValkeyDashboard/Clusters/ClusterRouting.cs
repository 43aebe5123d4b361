using System.Security.Claims;
using ValkeyDashboard.Authentication;

namespace ValkeyDashboard.Clusters;

/// <summary>The cluster a request is for: the one its <c>/api/clusters/{name}/…</c> path names, or the default.</summary>
public sealed class ClusterFeature(string name, DashboardCluster? cluster)
{
    /// <summary>The name the request gave (the default cluster's when it gave none).</summary>
    public string Name { get; } = name;

    /// <summary>The cluster, or null when <see cref="Name"/> names none (answered 404 once the caller is signed in).</summary>
    public DashboardCluster? Cluster { get; } = cluster;
}

/// <summary>
/// <c>/api/clusters/{name}/…</c>: every API of one cluster, answered by the same endpoints as today's <c>/api/…</c> (the
/// default cluster's). Before routing, the path's cluster is resolved, the path becomes the unprefixed one and the
/// request's services become that cluster's (<see cref="ClusterRequestServices"/>); after authentication, a token limited
/// to some clusters (<see cref="ApiToken.Clusters"/>) is refused on the others.
/// </summary>
internal static class ClusterRouting
{
    public const string Prefix = "/api/clusters";

    /// <summary>The claim type of a cluster a signed-in token may use (none: every cluster).</summary>
    public const string ClusterClaim = "valkey-dashboard/cluster";

    /// <summary>The cluster and the rest of the path of <c>/api/clusters/{name}/rest</c> (rest empty for the cluster itself).</summary>
    public static bool TryParse(PathString path, out string name, out PathString rest)
    {
        name = string.Empty;
        rest = PathString.Empty;
        if (!path.StartsWithSegments(Prefix, StringComparison.Ordinal, out var remaining) || !remaining.HasValue || remaining.Value!.Length < 2)
        {
            return false;
        }

        var text = remaining.Value!;
        var slash = text.IndexOf('/', 1);
        name = slash < 0 ? text[1..] : text[1..slash];
        rest = slash < 0 ? PathString.Empty : new PathString(text[slash..]);
        return true;
    }

    /// <summary>Resolves the cluster of <c>/api/clusters/{name}/…</c>; call before routing.</summary>
    public static IApplicationBuilder UseClusterRouting(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var clusters = context.RequestServices.GetRequiredService<DashboardClusters>();
        if (!TryParse(context.Request.Path, out var name, out var rest))
        {
            // The list of clusters is of no one cluster; a hub connection is of the cluster it asks to watch (all of
            // those the token may use for "*", which the hub sorts out); every other path is the default cluster's.
            var watch = context.Request.Path.StartsWithSegments(Hubs.ClusterHub.Path) ? context.Request.Query[Hubs.ClusterHub.ClusterQuery].ToString() : string.Empty;
            if (watch.Length > 0 && watch != Hubs.ClusterHub.AllClusters)
            {
                context.Features.Set(new ClusterFeature(watch, clusters.Find(watch)));
            }
            else if (watch.Length == 0 && !context.Request.Path.StartsWithSegments(Prefix, StringComparison.Ordinal))
            {
                context.Features.Set(new ClusterFeature(clusters.Default.Name, clusters.Default));
            }

            await next(context);
            return;
        }

        var cluster = clusters.Find(name);
        context.Features.Set(new ClusterFeature(name, cluster));
        if (cluster is null || !rest.HasValue)
        {
            // An unknown name is answered after sign-in (UseClusterAccess), so that only callers learn the names;
            // /api/clusters/{name} itself is an endpoint of its own (ClustersApi).
            await next(context);
            return;
        }

        var originalPath = context.Request.Path;
        var originalServices = context.RequestServices;
        await using var services = cluster.CreateRequestServices(originalServices);
        context.Request.Path = new PathString("/api").Add(rest);
        if (services is not null)
        {
            context.RequestServices = services;
        }

        // Links the endpoints write (Location of an accepted change) name the same cluster's route.
        context.Response.OnStarting(() =>
        {
            var location = context.Response.Headers.Location.ToString();
            if (location.StartsWith("/api/", StringComparison.Ordinal))
            {
                context.Response.Headers.Location = $"{Prefix}/{cluster.Name}{location["/api".Length..]}";
            }

            return Task.CompletedTask;
        });
        try
        {
            await next(context);
        }
        finally
        {
            context.Request.Path = originalPath;
            context.RequestServices = originalServices;
        }
    });

    /// <summary>Answers an unknown cluster (404) and refuses a token limited to other clusters (403); call after authorization.</summary>
    public static IApplicationBuilder UseClusterAccess(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.Features.Get<ClusterFeature>() is not { } feature
            || !(context.Request.Path.StartsWithSegments("/api") || context.Request.Path.StartsWithSegments("/hubs")))
        {
            await next(context);
            return;
        }

        if (feature.Cluster is null)
        {
            var known = context.RequestServices.GetRequiredService<DashboardClusters>().Names.Where(n => MayUse(context.User, n));
            await DashboardProblems.WriteAsync(context, StatusCodes.Status404NotFound, "Unknown cluster",
                $"there is no cluster \"{feature.Name}\"; the clusters are: {string.Join(", ", known)} (GET {Prefix} lists them)");
            return;
        }

        if (!MayUse(context.User, feature.Name))
        {
            await DashboardProblems.WriteAsync(context, StatusCodes.Status403Forbidden, "Forbidden",
                $"token {context.User.Identity?.Name} may use clusters {string.Join(", ", AllowedClusters(context.User))}; not {feature.Name}");
            return;
        }

        await next(context);
    });

    /// <summary>Whether <paramref name="user"/> may use the cluster <paramref name="name"/> (a token without a list may use all).</summary>
    public static bool MayUse(ClaimsPrincipal user, string name)
    {
        var allowed = AllowedClusters(user);
        return allowed.Count == 0 || allowed.Contains(name, StringComparer.Ordinal);
    }

    private static List<string> AllowedClusters(ClaimsPrincipal user) => [.. user.FindAll(ClusterClaim).Select(c => c.Value)];
}
