using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using MudBlazor.Services;
using Serilog;
using ValkeyDashboard.Api;
using ValkeyDashboard.Components;
using ValkeyDashboard.Hubs;

namespace ValkeyDashboard;

internal static class DashboardWebExtensions
{
    /// <summary>Blazor Server with MudBlazor, the JSON conventions of the API, ProblemDetails, OpenAPI and health checks.</summary>
    public static IServiceCollection AddDashboardWeb(this IServiceCollection services, IConfiguration configuration)
    {
        // Keys that protect circuits and antiforgery tokens survive restarts (an open page reconnects after one).
        services.AddDataProtection()
            .SetApplicationName("ValkeyDashboard")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.GetFullPath(configuration["Dashboard:KeysDirectory"] ?? ".data/keys")));
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();

        services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
            options.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        });
        services.AddProblemDetails();
        services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "ValkeyDashboard API";
            document.Info.Description = "Everything the ValkeyDashboard UI does, for automation: cluster topology, per-slot statistics and health.";
            return Task.CompletedTask;
        }));
        services.AddHealthChecks().AddCheck<ClusterHealthCheck>("valkey-cluster");
        services.AddSignalR().AddJsonProtocol(options =>
            options.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)));
        services.AddHostedService<ClusterHubBroadcaster>();
        return services;
    }

    /// <summary>The middleware pipeline and every endpoint: pages, API, OpenAPI document, health.</summary>
    public static WebApplication MapDashboard(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseSerilogRequestLogging();
        app.UseAntiforgery();

        app.MapStaticAssets();
        app.MapOpenApi();
        app.MapClusterApi();
        app.MapMigrationsApi();
        app.MapHub<ClusterHub>(ClusterHub.Path);
        app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = ClusterHealthCheck.WriteResponseAsync });
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }
}
