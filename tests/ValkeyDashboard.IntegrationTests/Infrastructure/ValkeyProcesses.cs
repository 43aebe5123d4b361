using System.Globalization;

namespace ValkeyDashboard.IntegrationTests.Infrastructure;

/// <summary>
/// Looks at the machine's process table for valkey-server processes. It fails when it cannot look: a process it could
/// not read might be the one a test asks about, so "none found" would be a guess. Only a process that ended while it was
/// being read is skipped, and processes of other users (the tests start theirs as this user).
/// </summary>
internal static class ValkeyProcesses
{
    private const string Proc = "/proc";

    /// <summary>
    /// Pids of every running valkey-server of this user whose command line or working directory mentions
    /// <paramref name="marker"/> (a port, or a cluster's data folder: each node runs in its own folder below it), or all when null.
    /// </summary>
    public static IReadOnlyList<int> Find(string? marker = null) => Find(Proc, marker);

    /// <summary>As <see cref="Find(string?)"/>, reading the process table under <paramref name="procRoot"/> (tests give a fake one).</summary>
    internal static IReadOnlyList<int> Find(string procRoot, string? marker)
    {
        var me = UidOf(Path.Combine(procRoot, "self"));
        var pids = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories(procRoot))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                if (UidOf(dir) != me)
                {
                    continue;
                }

                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (!cmdline.Contains("valkey-server", StringComparison.Ordinal) || IsZombie(dir))
                {
                    continue;
                }

                var cwd = new DirectoryInfo(Path.Combine(dir, "cwd")).LinkTarget ?? string.Empty;
                if (marker is null || cmdline.Contains(marker, StringComparison.Ordinal) || cwd.Contains(marker, StringComparison.Ordinal))
                {
                    pids.Add(pid);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                if (!Vanished(dir))
                {
                    throw new InvalidOperationException(
                        $"could not read {dir} ({ex.GetType().Name}: {ex.Message}), so whether it is a valkey-server of the tests is unknown", ex);
                }
            }
        }

        return pids;
    }

    /// <summary>Pids of the running valkey-server processes this test process started (their parent is us).</summary>
    public static IReadOnlyList<int> StartedByThisProcess() =>
        [.. Find().Where(pid => ParentOf(pid) == Environment.ProcessId)];

    /// <summary>Whether the process runs (a zombie does not); throws when its state cannot be read although it exists.</summary>
    public static bool IsRunning(int pid)
    {
        var dir = Path.Combine(Proc, pid.ToString(CultureInfo.InvariantCulture));
        try
        {
            return !IsZombie(dir);
        }
        catch (Exception ex) when ((ex is IOException or UnauthorizedAccessException) && Vanished(dir))
        {
            return false;
        }
    }

    private static int? ParentOf(int pid)
    {
        var dir = Path.Combine(Proc, pid.ToString(CultureInfo.InvariantCulture));
        try
        {
            // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces, so read after the last ')'.
            var stat = File.ReadAllText(Path.Combine(dir, "stat"));
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when ((ex is IOException or UnauthorizedAccessException) && Vanished(dir))
        {
            return null;
        }
    }

    /// <summary>The real user id on the <c>Uid:</c> line of <c>status</c>.</summary>
    private static int UidOf(string dir)
    {
        var line = File.ReadLines(Path.Combine(dir, "status")).FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal))
            ?? throw new IOException($"{dir}/status has no Uid line");
        return int.Parse(line["Uid:".Length..].Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture);
    }

    private static bool IsZombie(string dir)
    {
        var stat = File.ReadAllText(Path.Combine(dir, "stat"));
        return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
    }

    /// <summary>The process ended while we read it: its folder is gone, or it is now a zombie (whose cwd can no longer be read).</summary>
    private static bool Vanished(string dir)
    {
        if (!Directory.Exists(dir))
        {
            return true;
        }

        try
        {
            return IsZombie(dir);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return !Directory.Exists(dir);
        }
    }
}
