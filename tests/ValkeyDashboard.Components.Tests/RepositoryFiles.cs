namespace ValkeyDashboard.Components.Tests;

/// <summary>Files of the repository the tests read as they are checked in (e.g. the heat map's script).</summary>
internal static class RepositoryFiles
{
    /// <summary>The text of <paramref name="relativePath"/> under the repository root (the folder with ValkeyDashboard.sln).</summary>
    public static string Read(string relativePath)
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "ValkeyDashboard.sln")))
            {
                return File.ReadAllText(Path.Combine(folder.FullName, relativePath));
            }
        }

        throw new InvalidOperationException($"no ValkeyDashboard.sln above {AppContext.BaseDirectory}");
    }
}
