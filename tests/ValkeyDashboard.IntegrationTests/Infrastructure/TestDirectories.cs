namespace ValkeyDashboard.IntegrationTests.Infrastructure;

/// <summary>Scratch folders for clusters' data, removed when the test is done.</summary>
internal static class TestDirectories
{
    public static string Create(string purpose)
    {
        var path = Path.Combine(Path.GetTempPath(), "valkey-dashboard-tests", $"{purpose}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Deletes the folder and everything in it (nothing when <paramref name="path"/> is null: a test's folder that was never made).</summary>
    public static void Delete(string? path)
    {
        try
        {
            if (path is not null && Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
            // A file still being written by a process that is just exiting; the temp folder is cleaned by the OS.
        }
    }

    /// <summary>The repository root (where ValkeyDashboard.sln is).</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ValkeyDashboard.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("ValkeyDashboard.sln not found above " + AppContext.BaseDirectory);
    }
}
