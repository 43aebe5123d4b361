using Microsoft.Data.Sqlite;

namespace ValkeyDashboard.Cluster.Storage;

/// <summary>
/// The dashboard's SQLite file (by default <c>.data/dashboard.db</c>), shared by the migration history and the audit
/// log, each with a connection of its own for its life. WAL with synchronous=NORMAL commits without an fsync each time;
/// a crash may lose the last updates, which recovery re-reads from Valkey anyway.
/// </summary>
public static class DashboardDatabase
{
    /// <summary>
    /// Opens (creating the folder 0700 and the file 0600 if needed: SQLite gives its WAL and shared-memory files the
    /// database's mode) with the shared settings, then runs <paramref name="schema"/>.
    /// </summary>
    public static SqliteConnection Open(string databasePath, string schema)
    {
        var path = Path.GetFullPath(databasePath);
        if (!OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!, PrivateFiles.FolderMode);
            // An empty file is an empty database; created owner-only here rather than by SQLite with the umask's mode.
            using var _ = new FileStream(path, new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.Write, UnixCreateMode = PrivateFiles.FileMode });
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = NORMAL;
            PRAGMA busy_timeout = 5000;
            {schema}
            """;
        command.ExecuteNonQuery();
        return connection;
    }
}
