using ValkeyDashboard.Cluster.Storage;

namespace ValkeyDashboard;

/// <summary>
/// Says at start where the data folder is and what was tightened to owner-only in it (folders and files an older
/// version or a person made readable by others). The folders were prepared when the options were resolved, before the
/// logger existed, so the report waits for the host to start.
/// </summary>
internal sealed class DataFolderReport(DataFolders folders, ILogger<DataFolderReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var tightened = folders.Tightened;
        if (tightened.Count > 0)
        {
            logger.LogWarning("Made {Count} folder(s) and file(s) in the data folder {DataDirectory} readable by their owner only (they were open to other users): {Paths}",
                tightened.Count, folders.Root, string.Join(", ", tightened.Take(20)));
        }
        else
        {
            logger.LogInformation("Data folder: {DataDirectory} (owner only)", folders.Root);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
