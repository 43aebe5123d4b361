namespace ValkeyDashboard;

internal static class ListenAddressExtensions
{
    /// <summary>Where the dashboard listens when nothing says otherwise: loopback only.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5000";

    /// <summary>
    /// Listens on <see cref="DefaultUrl"/> only when no address is given the standard ways: <c>--urls</c>,
    /// <c>ASPNETCORE_URLS</c>/<c>DOTNET_URLS</c>/<c>Urls</c>, <c>ASPNETCORE_HTTP_PORTS</c>/<c>ASPNETCORE_HTTPS_PORTS</c>
    /// (what container platforms and the .NET images set) or <c>Kestrel:Endpoints</c>. A default in appsettings.json
    /// would override the environment's variables, which come first for whoever starts the dashboard.
    /// </summary>
    public static WebApplicationBuilder UseDefaultUrlUnlessGiven(this WebApplicationBuilder builder)
    {
        if (!IsAddressGiven(builder.Configuration))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        return builder;
    }

    /// <summary>Whether the configuration (command line, environment, settings files) names where to listen.</summary>
    internal static bool IsAddressGiven(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.ServerUrlsKey])
        || !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpPortsKey])
        || !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpsPortsKey])
        || configuration.GetSection("Kestrel:Endpoints").GetChildren().Any();
}
