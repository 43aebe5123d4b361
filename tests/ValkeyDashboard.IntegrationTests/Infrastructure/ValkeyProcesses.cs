using System.Globalization;

namespace ValkeyDashboard.IntegrationTests.Infrastructure;

/// <summary>Looks at the machine's process table for valkey-server processes.</summary>
internal static class ValkeyProcesses
{
    /// <summary>
    /// Pids of every running valkey-server whose command line or working directory mentions <paramref name="marker"/>
    /// (a port, or a cluster's data folder: each node runs in its own folder below it), or all when null.
    /// </summary>
    public static IReadOnlyList<int> Find(string? marker = null)
    {
        var pids = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                var state = File.ReadAllText(Path.Combine(dir, "stat"));
                var zombie = state.Contains(") Z ", StringComparison.Ordinal);
                var cwd = new DirectoryInfo(Path.Combine(dir, "cwd")).LinkTarget ?? string.Empty;
                if (!zombie && cmdline.Contains("valkey-server", StringComparison.Ordinal) &&
                    (marker is null || cmdline.Contains(marker, StringComparison.Ordinal) || cwd.Contains(marker, StringComparison.Ordinal)))
                {
                    pids.Add(pid);
                }
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return pids;
    }

    /// <summary>Pids of the running valkey-server processes this test process started (their parent is us).</summary>
    public static IReadOnlyList<int> StartedByThisProcess() =>
        [.. Find().Where(pid => ParentOf(pid) == Environment.ProcessId)];

    public static bool IsRunning(int pid)
    {
        try
        {
            var state = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            return !state.Contains(") Z ", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static int? ParentOf(int pid)
    {
        try
        {
            // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces, so read after the last ')'.
            var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
    }
}
