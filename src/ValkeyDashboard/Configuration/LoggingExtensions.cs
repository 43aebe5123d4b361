using Microsoft.Extensions.Options;
using Serilog;
using Serilog.Events;

namespace ValkeyDashboard;

internal static class LoggingExtensions
{
    /// <summary>
    /// Serilog for the whole host: console and a daily rolling file under <c>Dashboard:LogDirectory</c>
    /// (default <c>logs</c> in the data folder), rolled daily and at <c>Dashboard:LogFileSizeLimitBytes</c>, levels from the
    /// <c>Serilog</c> section. Valkey nodes log to their own
    /// files in the data folder, never here.
    /// </summary>
    public static WebApplicationBuilder AddDashboardLogging(this WebApplicationBuilder builder)
    {
        builder.Services.AddSerilog((services, logger) => logger
            .ReadFrom.Configuration(builder.Configuration)
            .ReadFrom.Services(services)
            .Enrich.FromLogContext()
            .WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext:l}: {Message:lj}{NewLine}{Exception}")
            .WriteTo.File(
                Path.Combine(services.GetRequiredService<IOptions<DashboardOptions>>().Value.LogDirectory!, "dashboard-.log"),
                rollingInterval: RollingInterval.Day,
                // A full file is continued in the next one (a flood must not silence the rest of the day); at most
                // LogFilesKept files of LogFileSizeLimitBytes each stay on disk.
                fileSizeLimitBytes: services.GetRequiredService<IOptions<DashboardOptions>>().Value.LogFileSizeLimitBytes,
                rollOnFileSizeLimit: true,
                retainedFileCountLimit: services.GetRequiredService<IOptions<DashboardOptions>>().Value.LogFilesKept,
                restrictedToMinimumLevel: LogEventLevel.Information,
                outputTemplate: "{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} [{Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}"));
        return builder;
    }
}
