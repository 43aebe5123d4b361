using System.Runtime.InteropServices;

namespace ValkeyDashboard.Cluster.Hosting;

/// <summary>
/// Sends SIGTERM, which Valkey treats as a graceful shutdown (flush AOF, save, remove the pid file);
/// <see cref="System.Diagnostics.Process.Kill()"/> only sends SIGKILL.
/// </summary>
internal static partial class PosixSignals
{
    private const int SigTerm = 15;
    private const int SigKill = 9;

    public static bool Terminate(int pid) => OperatingSystem.IsWindows() ? false : Kill(pid, SigTerm) == 0;

    /// <summary>SIGKILL to a process that is not this one's child (a <see cref="System.Diagnostics.Process"/> of it cannot be had).</summary>
    public static bool ForceKill(int pid) => OperatingSystem.IsWindows() ? false : Kill(pid, SigKill) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int Kill(int pid, int signal);
}
