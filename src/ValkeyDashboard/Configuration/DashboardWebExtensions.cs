using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using MudBlazor.Services;
using Serilog;
using Serilog.Events;
using ValkeyDashboard.Api;
using ValkeyDashboard.Authentication;
using ValkeyDashboard.Cluster.Audit;
using ValkeyDashboard.Clusters;
using ValkeyDashboard.Components;
using ValkeyDashboard.Hubs;
using ValkeyDashboard.Model.HeatMap;
using ValkeyDashboard.Security;

namespace ValkeyDashboard;

internal static class DashboardWebExtensions
{
    /// <summary>Blazor Server with MudBlazor, the JSON conventions of the API, ProblemDetails, OpenAPI and health checks.</summary>
    public static IServiceCollection AddDashboardWeb(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DashboardOptions>()
            .Bind(configuration.GetSection(DashboardOptions.SectionName))
            .ValidateDataAnnotations()
            .Validate(o => o.RateLimit.MutationsPerMinute is >= 1 and <= 1_000_000, "Dashboard:RateLimit:MutationsPerMinute must be between 1 and 1,000,000.")
            .Validate(o => o.RateLimit.SignInAttemptsPerMinute is >= 1 and <= 1_000_000, "Dashboard:RateLimit:SignInAttemptsPerMinute must be between 1 and 1,000,000.")
            .Validate(o => o.RateLimit.WaitsPerClient >= 1 && o.RateLimit.SlotStatisticsWatchersPerClient >= 1,
                "Dashboard:RateLimit:WaitsPerClient and SlotStatisticsWatchersPerClient must be at least 1.")
            .ValidateOnStart();
        services.AddOptions<AuditRetentionOptions>()
            .Bind(configuration.GetSection(AuditRetentionOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        // Keys that protect circuits and antiforgery tokens survive restarts (an open page reconnects after one).
        services.AddDataProtection().SetApplicationName("ValkeyDashboard");
        services.AddOptions<KeyManagementOptions>().Configure<IOptions<DashboardOptions>, ILoggerFactory>((keys, dashboard, loggers) =>
            keys.XmlRepository = new TrustedXmlRepository(new DirectoryInfo(dashboard.Value.KeysDirectory!), loggers));
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();

        services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
            options.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        });
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            // Errors the framework produces itself (no endpoint, wrong method, wrong media type) say what was wrong too.
            var request = context.HttpContext.Request;
            context.ProblemDetails.Detail ??= context.ProblemDetails.Status switch
            {
                StatusCodes.Status404NotFound => $"there is nothing at {request.Method} {request.Path}; the API is described at /openapi/v1.json",
                StatusCodes.Status405MethodNotAllowed => $"{request.Path} does not accept {request.Method}; see /openapi/v1.json",
                StatusCodes.Status415UnsupportedMediaType => $"the body must be JSON (Content-Type: application/json), not {(string.IsNullOrEmpty(request.ContentType) ? "none" : request.ContentType)}",
                StatusCodes.Status400BadRequest => "the request could not be read; see /openapi/v1.json for its shape",
                _ => null,
            };
        });
        services.AddOpenApi(options => options
            .AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "ValkeyDashboard API";
                document.Info.Description = "Everything the ValkeyDashboard UI does, for automation: cluster topology, per-slot statistics, health, " +
                    "Valkey atomic slot migrations (start, preflight, follow, cancel), plans, restarts and the cluster doctor (findings and fixes). Live updates: SignalR hub at /hubs/cluster (?cluster=name or * to watch another cluster or all; every message names its cluster).";
                return Task.CompletedTask;
            })
            .AddExamples()
            .AddClusterRoutes());
        services.AddHealthChecks().AddCheck<ClusterHealthCheck>("valkey-cluster");
        services.AddMutationRateLimit();
        services.AddDashboardAuth(configuration);
        services.AddDashboardTelemetry(configuration);
        services.AddSignalR().AddJsonProtocol(options =>
            options.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)));
        services.AddSingleton<SlotStatisticsWatchers>();
        services.AddSingleton<ClusterHubConnections>();
        services.AddSingleton<OpenWaits>();
        services.AddHubBroadcasters();
        services.AddSlotViews(configuration);
        return services;
    }

    /// <summary>
    /// What pushes a cluster's changes to the hub (<see cref="ClusterHubConnections"/>, the app's): in the app for the
    /// default cluster, in each further cluster's container for that one (<see cref="Clusters.DashboardClusters"/>).
    /// </summary>
    public static IServiceCollection AddHubBroadcasters(this IServiceCollection services)
    {
        services.AddHostedService<ClusterHubBroadcaster>();
        services.AddHostedService<RollingRestartBroadcaster>();
        services.AddHostedService<DoctorBroadcaster>();
        services.AddHostedService<DemoLoadBroadcaster>();
        return services;
    }

    /// <summary>A cluster's heat-map layers and slot history (the root's for the default cluster; each further cluster has its own).</summary>
    public static IServiceCollection AddSlotViews(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<SlotHeatMapSource>();
        services.AddHostedService(sp => sp.GetRequiredService<SlotHeatMapSource>());
        services.AddSlotHistory(configuration);
        return services;
    }

    /// <summary>The middleware pipeline and every endpoint: pages, API, OpenAPI document, health.</summary>
    public static WebApplication MapDashboard(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        // Successful reads (pages, assets, clients polling a migration) are Debug; changes and errors are logged.
        app.UseSerilogRequestLogging(options => options.GetLevel = (context, _, exception) =>
            exception is not null || context.Response.StatusCode >= 500 ? LogEventLevel.Error
            : HttpMethods.IsGet(context.Request.Method) && context.Response.StatusCode < 400 ? LogEventLevel.Debug
            : context.Response.StatusCode == StatusCodes.Status429TooManyRequests ? LogEventLevel.Debug
            : LogEventLevel.Information);
        app.UseDashboardRequestChecks();
        // /api/clusters/{name}/… becomes that cluster's /api/… before routing chooses the endpoint.
        app.UseClusterRouting();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseClusterAccess();
        app.UseRateLimiter();
        app.UseAntiforgery();

        // Open to all: the page's static files, the API description and the health probe; the rest needs a viewer.
        app.MapStaticAssets().AllowAnonymous();
        app.MapOpenApi().AllowAnonymous();
        app.MapBrowserSignIn();
        app.MapClusterApi();
        app.MapClustersApi();
        app.MapMigrationsApi();
        app.MapAuditApi();
        app.MapNodesApi();
        app.MapPlansApi();
        app.MapRestartsApi();
        app.MapDoctorApi();
        app.MapSlotHistoryApi();
        app.MapMetrics();
        app.MapLoadApi();
        app.MapHub<ClusterHub>(ClusterHub.Path);
        app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = ClusterHealthCheck.WriteResponseAsync }).AllowAnonymous();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }
}
