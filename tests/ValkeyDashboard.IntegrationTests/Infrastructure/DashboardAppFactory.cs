using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace ValkeyDashboard.IntegrationTests.Infrastructure;

/// <summary>
/// The real dashboard app (Program) in-process, with its own embedded cluster on ports from the tests'
/// range and data in a scratch folder, or in External mode pointed at given endpoints.
/// </summary>
public sealed class DashboardAppFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;
    private readonly List<Action<IServiceCollection>> _services = [];

    private DashboardAppFactory(Dictionary<string, string?> settings, string? dataDirectory = null)
    {
        _settings = settings;
        DataDirectory = dataDirectory ?? TestDirectories.Create("dashboard");
        // The one data folder: the database, keys, logs and the embedded cluster go under it by default.
        _settings["Dashboard:DataDirectory"] = DataDirectory;
        _settings["Valkey:PollInterval"] = "00:00:00.250";
        // Tests send many requests from one client; the limit itself is tested with a low one (RequestLimitTests).
        _settings["Dashboard:RateLimit:MutationsPerMinute"] = "1000000";
        // The tests talk to a loopback (or in-process) dashboard without signing in; sign-in has tests of its own (AuthTests).
        _settings["Dashboard:Auth:Mode"] = "None";
    }

    /// <summary>Sets a configuration value (before the app starts).</summary>
    public DashboardAppFactory With(string key, string? value)
    {
        _settings[key] = value;
        return this;
    }

    /// <summary>Changes the app's services after its own registrations (before the app starts), e.g. a test clock.</summary>
    public DashboardAppFactory WithServices(Action<IServiceCollection> configure)
    {
        _services.Add(configure);
        return this;
    }

    public string DataDirectory { get; }

    /// <summary>Keep the data folder on dispose (a restart test starts a second dashboard on it).</summary>
    public bool KeepData { get; set; }

    /// <summary>
    /// The dashboard with its default embedded 3×1 cluster; pass the folder and port of an earlier one to restart
    /// that dashboard (same cluster, same history).
    /// </summary>
    public static DashboardAppFactory Embedded(string? dataDirectory = null, int? basePort = null)
    {
        var port = basePort ?? TestPorts.AllocateBlock(10);
        var factory = new DashboardAppFactory(
            new Dictionary<string, string?>
            {
                ["Valkey:Mode"] = "Embedded",
                ["Valkey:Embedded:BasePort"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Valkey:Embedded:NodeTimeoutMilliseconds"] = "2000",
            },
            dataDirectory);
        factory.BasePort = port;
        return factory;
    }

    /// <summary>
    /// The dashboard managing an existing cluster reached through <paramref name="endpoints"/>; pass the folder of an
    /// earlier one to restart that dashboard (same history).
    /// </summary>
    public static DashboardAppFactory External(IReadOnlyList<string> endpoints, string? dataDirectory = null)
    {
        var settings = new Dictionary<string, string?> { ["Valkey:Mode"] = "External" };
        for (var i = 0; i < endpoints.Count; i++)
        {
            settings[$"Valkey:External:Endpoints:{i}"] = endpoints[i];
        }

        return new DashboardAppFactory(settings, dataDirectory);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // The app's own appsettings.json lives at the repository root, as when run with dotnet run.
        builder.UseContentRoot(TestDirectories.RepositoryRoot());
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services => _services.ForEach(configure => configure(services)));
    }

    /// <summary>
    /// The header a script sends with a change that has no body (with sign-in off the dashboard refuses such a change
    /// without it, as a page on another origin could send it); every client of the tests sends it, as scripts do. The
    /// tests of that rule remove it.
    /// </summary>
    public const string ScriptHeader = "X-Requested-With";

    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        client.DefaultRequestHeaders.Add(ScriptHeader, "ValkeyDashboard.Tests");
    }

    /// <summary>The first node port of the embedded cluster (Embedded mode).</summary>
    public int BasePort { get; private set; }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (!KeepData)
        {
            TestDirectories.Delete(DataDirectory);
        }
    }
}
