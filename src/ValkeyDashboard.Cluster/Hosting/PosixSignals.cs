using System.Runtime.InteropServices;

namespace ValkeyDashboard.Cluster.Hosting;

/// <summary>
/// Sends SIGTERM, which Valkey treats as a graceful shutdown (flush AOF, save, remove the pid file);
/// <see cref="System.Diagnostics.Process.Kill()"/> only sends SIGKILL.
/// </summary>
internal static partial class PosixSignals
{
    private const int SigTerm = 15;

    public static bool Terminate(int pid) => OperatingSystem.IsWindows() ? false : Kill(pid, SigTerm) == 0;

    /// <summary>True when a process with that pid exists (signal 0 probes without sending anything).</summary>
    public static bool IsAlive(int pid) => !OperatingSystem.IsWindows() && (Kill(pid, 0) == 0 || Marshal.GetLastPInvokeError() == 1 /* EPERM: exists, not ours */);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int Kill(int pid, int signal);
}
