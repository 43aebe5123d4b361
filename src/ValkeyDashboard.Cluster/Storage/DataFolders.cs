using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace ValkeyDashboard.Cluster.Storage;

/// <summary>
/// Where each of the dashboard's files goes: under <c>Dashboard:DataDirectory</c> by default, or where its own setting
/// says; relative paths are from the content root (not the working directory, which a service manager or a container
/// may set anywhere). A folder is made private (<see cref="PrivateFiles.PrepareFolder"/>) the first time a path in it
/// is handed out, so nothing is written before the folder was checked; what was tightened is kept for the start-up log.
/// </summary>
public sealed class DataFolders
{
    /// <summary>Each path's name under the data folder.</summary>
    public const string DatabaseFileName = "dashboard.db", KeysFolderName = "keys", LogsFolderName = "logs", ClusterFolderName = "cluster";

    private readonly ConcurrentDictionary<string, IReadOnlyList<string>> _prepared = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public DataFolders(IOptions<DataDirectoryOptions> options, string contentRoot)
    {
        ContentRoot = Path.GetFullPath(contentRoot);
        Root = Resolve(options.Value.DataDirectory);
    }

    /// <summary>The content root every relative path is resolved from.</summary>
    public string ContentRoot { get; }

    /// <summary>The data folder (absolute).</summary>
    public string Root { get; }

    /// <summary>What was tightened to owner-only so far (folders and files from an older version or made by hand).</summary>
    public IReadOnlyList<string> Tightened => [.. _prepared.Values.SelectMany(t => t).Distinct(StringComparer.Ordinal)];

    /// <summary>An absolute path: <paramref name="configured"/> from the content root, else <paramref name="name"/> in the data folder.</summary>
    public string Resolve(string? configured, string name) =>
        string.IsNullOrWhiteSpace(configured) ? Path.Combine(Root, name) : Resolve(configured);

    /// <summary>Resolves a folder (<see cref="Resolve(string?, string)"/>) and makes it private before handing it out.</summary>
    public string PrepareFolder(string? configured, string name) => Prepare(Resolve(configured, name));

    /// <summary>
    /// Resolves a file (the database) and makes it private before handing it out: in the data folder like everything
    /// there; elsewhere its folder, which may hold other things, is only checked, and the file and its SQLite companions
    /// (<c>-wal</c>, <c>-shm</c>, <c>-journal</c>) are checked and tightened.
    /// </summary>
    public string PrepareFileFolder(string? configured, string name)
    {
        var path = Resolve(configured, name);
        var folder = Path.GetDirectoryName(path)!;
        if (IsUnder(folder, Root))
        {
            Prepare(folder);
            return path;
        }

        lock (_gate)
        {
            if (!_prepared.ContainsKey(path))
            {
                var file = Path.GetFileName(path);
                _prepared[path] = PrivateFiles.PrepareFiles(folder, [file, file + "-wal", file + "-shm", file + "-journal"]);
            }
        }

        return path;
    }

    private string Resolve(string path) => Path.GetFullPath(path, ContentRoot);

    private string Prepare(string folder)
    {
        lock (_gate)
        {
            // The data folder is checked (and tightened) as a whole once; a folder of its own outside it (logs, keys, the
            // embedded cluster) likewise on its own.
            var scope = IsUnder(folder, Root) ? Root : folder;
            if (!_prepared.ContainsKey(scope))
            {
                _prepared[scope] = PrivateFiles.PrepareFolder(scope);
            }

            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(folder);
            }
            else if (!Directory.Exists(folder))
            {
                Directory.CreateDirectory(folder, PrivateFiles.FolderMode);
            }
        }

        return folder;
    }

    private static bool IsUnder(string path, string folder) =>
        path == folder || path.StartsWith(Path.TrimEndingDirectorySeparator(folder) + Path.DirectorySeparatorChar, StringComparison.Ordinal);
}
