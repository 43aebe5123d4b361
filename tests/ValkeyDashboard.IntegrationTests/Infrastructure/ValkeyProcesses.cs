using System.Globalization;

namespace ValkeyDashboard.IntegrationTests.Infrastructure;

/// <summary>Looks at the machine's process table for valkey-server processes.</summary>
internal static class ValkeyProcesses
{
    /// <summary>Pids of every running valkey-server whose command line mentions <paramref name="marker"/> (e.g. a port), or all when null.</summary>
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
                if (!zombie && cmdline.Contains("valkey-server", StringComparison.Ordinal) && (marker is null || cmdline.Contains(marker, StringComparison.Ordinal)))
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
}
