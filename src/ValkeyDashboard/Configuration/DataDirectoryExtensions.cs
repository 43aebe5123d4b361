using Microsoft.Extensions.Options;
using ValkeyDashboard.Cluster.Configuration;
using ValkeyDashboard.Cluster.Storage;

namespace ValkeyDashboard;

internal static class DataDirectoryExtensions
{
    /// <summary>
    /// One data folder (<c>Dashboard:DataDirectory</c>, default <c>.data</c> in the content root) for the database, the
    /// keys, the logs and the embedded cluster, each with its own setting as an override; every relative path is from
    /// the content root. Files and folders the process and its <c>valkey-server</c> children create are the user's
    /// alone (umask 077), each folder is checked and made private before its path is handed out
    /// (<see cref="DataFolders"/>), and what was tightened is logged at start. Call first: the logger writes in it.
    /// </summary>
    public static WebApplicationBuilder AddDataDirectory(this WebApplicationBuilder builder)
    {
        PrivateFiles.RestrictNewFiles();
        var services = builder.Services;
        var contentRoot = builder.Environment.ContentRootPath;
        services.AddOptions<DataDirectoryOptions>()
            .Bind(builder.Configuration.GetSection(DataDirectoryOptions.SectionName))
            .Validate(o => !string.IsNullOrWhiteSpace(o.DataDirectory), "Dashboard:DataDirectory must not be empty.")
            .ValidateOnStart();
        services.AddSingleton(sp => new DataFolders(sp.GetRequiredService<IOptions<DataDirectoryOptions>>(), contentRoot));

        services.AddOptions<DashboardOptions>().PostConfigure<DataFolders>((o, folders) =>
        {
            o.LogDirectory = folders.PrepareFolder(o.LogDirectory, DataFolders.LogsFolderName);
            o.KeysDirectory = folders.PrepareFolder(o.KeysDirectory, DataFolders.KeysFolderName);
        });
        services.AddClusterDataFolders();
        services.AddHostedService<DataFolderReport>();
        return builder;
    }

    /// <summary>
    /// The paths of a cluster's settings under the data folder (<see cref="DataFolders"/> must be registered): the
    /// database file and, for an embedded cluster, its nodes' folder. Also run for each further cluster's container.
    /// </summary>
    public static IServiceCollection AddClusterDataFolders(this IServiceCollection services)
    {
        services.AddOptions<DatabaseOptions>().PostConfigure<DataFolders>((o, folders) =>
            o.DatabasePath = folders.PrepareFileFolder(o.DatabasePath, DataFolders.DatabaseFileName));
        services.AddOptions<ValkeyOptions>().PostConfigure<DataFolders>((o, folders) =>
        {
            // The embedded cluster's folder is made only when there is an embedded cluster.
            o.Embedded.DataDirectory = o.Mode == ValkeyMode.Embedded
                ? folders.PrepareFolder(o.Embedded.DataDirectory, DataFolders.ClusterFolderName)
                : folders.Resolve(o.Embedded.DataDirectory, DataFolders.ClusterFolderName);
            if (!string.IsNullOrWhiteSpace(o.BinaryDirectory))
            {
                o.BinaryDirectory = Path.GetFullPath(o.BinaryDirectory, folders.ContentRoot);
            }

            // TLS files, like every other path in the settings, are relative to the content root (not to whatever
            // folder the service manager started the process in).
            o.TlsCaFile = FromContentRoot(o.TlsCaFile, folders);
            o.TlsClientCertificateFile = FromContentRoot(o.TlsClientCertificateFile, folders);
            o.TlsClientKeyFile = FromContentRoot(o.TlsClientKeyFile, folders);
        });
        return services;
    }

    private static string? FromContentRoot(string? path, DataFolders folders) =>
        string.IsNullOrWhiteSpace(path) ? path : Path.GetFullPath(path, folders.ContentRoot);
}
