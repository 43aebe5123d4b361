using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using ValkeyDashboard.Authentication;
using ValkeyDashboard.Cluster.Configuration;
using ValkeyDashboard.Cluster.Migrations;
using ValkeyDashboard.Cluster.Monitoring;
using ValkeyDashboard.Cluster.Plans;
using ValkeyDashboard.Cluster.Telemetry;
using ValkeyDashboard.Clusters;

namespace ValkeyDashboard;

/// <summary>
/// OpenTelemetry: every instrument of the <see cref="DashboardMetrics.MeterName"/> meter (whichever class created it),
/// ASP.NET Core's and the runtime's, scraped at <see cref="Path"/>; with <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set, metrics
/// and the migration and plan spans also go out over OTLP (the exporter reads the other standard <c>OTEL_*</c> variables).
/// </summary>
internal static class TelemetryExtensions
{
    public const string Path = "/metrics";

    /// <summary>The standard variable that turns OTLP export on.</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static IServiceCollection AddDashboardTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MetricsOptions>()
            .Bind(configuration.GetSection(MetricsOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddMetrics();
        services.AddSingleton(sp => new MetricsCluster(DefaultClusterLabel(sp)));
        services.AddClusterTelemetry();
        services.AddSingleton(sp => new ClusterGauges(
            sp.GetRequiredService<DashboardMetrics>(),
            () => MeteredClusters(sp),
            sp.GetRequiredService<IOptions<MetricsOptions>>()));

        var otlp = !string.IsNullOrWhiteSpace(configuration[OtlpEndpointVariable]);
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("valkey-dashboard"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(DashboardMetrics.MeterName)
                    .AddAspNetCoreInstrumentation()
                    .AddRuntimeInstrumentation()
                    // The runtime's dotnet.assembly.count, dotnet.timer.count, … are gauges whose Prometheus names end in
                    // _count, which promtool (and PromQL readers) take for a histogram's: the same figures as *.number.
                    .AddView(instrument => RenamedCount(instrument))
                    .AddPrometheusExporter();
                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
            });
        if (otlp)
        {
            // Spans only when someone receives them: without a listener the migration and plan spans are never made.
            telemetry.WithTracing(tracing => tracing
                .AddSource(DashboardMetrics.ActivitySourceName)
                .AddAspNetCoreInstrumentation()
                .AddOtlpExporter());
        }

        return services;
    }

    /// <summary>
    /// What one cluster's container records into (its own <see cref="DashboardMetrics"/> and <see cref="OperationTelemetry"/>,
    /// labelled with the container's <see cref="MetricsCluster"/>): the app's for the default cluster, and each further
    /// cluster's (<see cref="DashboardClusters"/>).
    /// </summary>
    public static IServiceCollection AddClusterTelemetry(this IServiceCollection services)
    {
        services.AddSingleton<DashboardMetrics>();
        services.AddSingleton<OperationTelemetry>();
        return services;
    }

    /// <summary>
    /// The default cluster's label: its name in <c>Valkey:Clusters</c>; a dashboard without that list has one cluster,
    /// labelled as it always was (<c>Valkey:ClusterName</c>, else where it is). Further clusters are labelled by name.
    /// </summary>
    private static string DefaultClusterLabel(IServiceProvider services) =>
        services.GetRequiredService<IOptions<ValkeyClusterListOptions>>().Value is { Clusters.Count: > 0 } list
            ? list.Names[0]
            : services.GetRequiredService<IOptions<ValkeyOptions>>().Value.DisplayName;

    /// <summary>Every cluster the dashboard manages, under its <see cref="MetricsCluster"/> label.</summary>
    private static IReadOnlyList<MeteredCluster> MeteredClusters(IServiceProvider services)
    {
        return [.. services.GetRequiredService<DashboardClusters>().All.Select(cluster => new MeteredCluster(
            cluster.Services.GetRequiredService<MetricsCluster>().Label,
            cluster.Services.GetRequiredService<IClusterSnapshotSource>(),
            cluster.Services.GetRequiredService<MigrationRegistry>(),
            cluster.Services.GetRequiredService<PlanRegistry>()))];
    }

    private static MetricStreamConfiguration? RenamedCount(System.Diagnostics.Metrics.Instrument instrument) =>
        instrument.Name.EndsWith(".count", StringComparison.Ordinal) && !instrument.GetType().Name.StartsWith("Histogram", StringComparison.Ordinal)
            ? new MetricStreamConfiguration { Name = instrument.Name[..^".count".Length] + ".number" }
            : null;

    /// <summary>
    /// The Prometheus scrape endpoint: a viewer's (or operator's) bearer token, like the API, unless
    /// <c>Dashboard:Metrics:AllowAnonymous</c>. The observable gauges are created here, before the first collection.
    /// </summary>
    public static WebApplication MapMetrics(this WebApplication app)
    {
        app.Services.GetRequiredService<ClusterGauges>();
        var endpoint = app.MapPrometheusScrapingEndpoint(Path);
        if (app.Services.GetRequiredService<IOptions<MetricsOptions>>().Value.AllowAnonymous)
        {
            endpoint.AllowAnonymous();
        }
        else
        {
            endpoint.RequireAuthorization(DashboardRoles.ViewPolicy);
        }

        return app;
    }
}
