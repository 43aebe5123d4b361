using Serilog;
using ValkeyDashboard;

// A plain console logger until the host's own (configured) logger takes over; it also reports a failed start.
Log.Logger = new LoggerConfiguration().WriteTo.Console().CreateLogger();
try
{
    var builder = WebApplication.CreateBuilder(args);
    builder.UseDefaultUrlUnlessGiven();
    builder.AddDataDirectory();
    builder.AddDashboardLogging();

    // Serve wwwroot and the packages' assets from their build locations under `dotnet run` in any environment
    // (a no-op in a published app, which carries them itself).
    builder.WebHost.UseStaticWebAssets();
    builder.Services.AddValkeyCluster(builder.Configuration);
    builder.Services.AddClientWorkloads(builder.Configuration);
    builder.Services.AddDashboardWeb(builder.Configuration);
    builder.Services.AddDashboardClusters(builder.Configuration);

    var app = builder.Build();
    app.MapDashboard();
    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (ex is not HostAbortedException)
{
    Log.Fatal(ex, "ValkeyDashboard stopped: {Reason}", ex.Message);
    return 1;
}
finally
{
    await Log.CloseAndFlushAsync();
}

/// <summary>The entry point, visible to <c>WebApplicationFactory</c> in the tests.</summary>
public partial class Program;
