using System.Globalization;

namespace ValkeyDashboard.Cluster.Hosting;

/// <summary>
/// What Linux's <c>/proc</c> says of a local process: whether it runs, its name, its working folder, and which
/// process listens on a TCP port. Used to tell a node the dashboard may adopt from a stranger on its port. Every
/// method answers <see langword="null"/> (or false) when it cannot look, never guesses.
/// </summary>
internal static class LocalProcesses
{
    /// <summary>True when <paramref name="pid"/> exists and is not a zombie (a dead child nobody has reaped yet).</summary>
    public static bool IsRunning(int pid)
    {
        var stat = Read($"/proc/{Pid(pid)}/stat");

        // "pid (comm) S ...": the state is the field after the last ')', as comm may hold spaces and parentheses.
        var close = stat?.LastIndexOf(')') ?? -1;
        return close > 0 && close + 2 < stat!.Length && stat[close + 2] is not ('Z' or 'X' or 'x');
    }

    /// <summary>
    /// The process's name (<c>/proc/pid/comm</c>): <c>valkey-server</c> for Valkey however it was started (the binary
    /// itself, or through a loader named after it, as the private copy of <c>eng/get-valkey.sh</c> does).
    /// </summary>
    public static string? Name(int pid) => Read($"/proc/{Pid(pid)}/comm")?.TrimEnd('\n');

    /// <summary>The process's current working folder.</summary>
    public static string? WorkingDirectory(int pid) => LinkTarget($"/proc/{Pid(pid)}/cwd");

    /// <summary>The process that listens on TCP <paramref name="port"/> (IPv4 or IPv6), when this user may see it.</summary>
    public static int? ListenerOf(int port)
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            foreach (var line in (Read(table) ?? string.Empty).Split('\n').Skip(1))
            {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 10 || fields[3] != "0A")
                {
                    continue; // not LISTEN
                }

                var colon = fields[1].LastIndexOf(':');
                if (colon > 0 && int.TryParse(fields[1][(colon + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var local) && local == port)
                {
                    inodes.Add($"socket:[{fields[9]}]");
                }
            }
        }

        if (inodes.Count == 0)
        {
            return null;
        }

        foreach (var directory in SafeEnumerate("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            foreach (var fd in SafeEnumerate(Path.Combine(directory, "fd")))
            {
                if (LinkTarget(fd) is { } target && inodes.Contains(target))
                {
                    return pid;
                }
            }
        }

        return null;
    }

    private static string Pid(int pid) => pid.ToString(CultureInfo.InvariantCulture);

    private static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string? LinkTarget(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string[] SafeEnumerate(string directory)
    {
        try
        {
            return Directory.GetFileSystemEntries(directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
