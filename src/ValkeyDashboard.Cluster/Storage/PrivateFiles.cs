using System.Runtime.InteropServices;

namespace ValkeyDashboard.Cluster.Storage;

/// <summary>
/// The dashboard's files are its user's alone: the history, the audit log, the data-protection keys, the embedded
/// cluster's password, configs, AOF files and logs. Folders are created 0700 and files 0600 (the process's umask, which
/// the <c>valkey-server</c> children inherit, makes everything else so too); a folder from an older version or made by
/// hand is tightened; and a folder or file that another user owns or may write is refused, since whoever can change
/// it can change what the dashboard trusts (the password it hands to the nodes, the keys that sign sign-in cookies).
/// </summary>
public static partial class PrivateFiles
{
    /// <summary>rwx for the owner only.</summary>
    public const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>rw for the owner only.</summary>
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const UnixFileMode OwnerPermissions = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>
    /// New files and folders of this process and of the processes it starts get no permission for group or others
    /// (umask 077). Called once, first thing at start.
    /// </summary>
    public static void RestrictNewFiles()
    {
        if (!OperatingSystem.IsWindows())
        {
            _ = NativeMethods.SetUmask(0b000_111_111);
        }
    }

    /// <summary>
    /// Makes <paramref name="folder"/> a private folder: created 0700 (with any missing parent) when missing; refused
    /// when it, or anything in it, is owned by another user or writable by another user; otherwise everything in it is
    /// tightened to the owner only. Returns what was tightened.
    /// </summary>
    /// <exception cref="UntrustedPathException">Another user owns or may write the folder or something in it.</exception>
    public static IReadOnlyList<string> PrepareFolder(string folder)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
            return [];
        }

        if (!Directory.Exists(folder))
        {
            Directory.CreateDirectory(folder, FolderMode);
        }

        var tightened = new List<string>();
        Visit(folder, UnixFileStatus.Read(folder) ?? throw new DirectoryNotFoundException(folder), tightened);
        foreach (var entry in Directory.EnumerateFileSystemEntries(folder, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            if (UnixFileStatus.Read(entry, followSymbolicLink: false) is { } status)
            {
                Visit(entry, status, tightened);
            }
        }

        return tightened;
    }

    /// <summary>
    /// Makes <paramref name="files"/> in <paramref name="folder"/> private without touching the rest of a folder that may
    /// be shared (a database path outside the data folder): the folder is created 0700 when missing and refused when
    /// another user owns or may write it (they could swap the files); each of the files that exists is refused likewise,
    /// or tightened to the owner only. Returns what was tightened.
    /// </summary>
    /// <exception cref="UntrustedPathException">Another user owns or may write the folder or one of the files.</exception>
    public static IReadOnlyList<string> PrepareFiles(string folder, IEnumerable<string> files)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
            return [];
        }

        if (!Directory.Exists(folder))
        {
            Directory.CreateDirectory(folder, FolderMode);
        }

        Check(folder, UnixFileStatus.Read(folder) ?? throw new DirectoryNotFoundException(folder), "data folder");
        var tightened = new List<string>();
        foreach (var file in files.Select(f => Path.Combine(folder, f)))
        {
            if (UnixFileStatus.Read(file, followSymbolicLink: false) is { } status)
            {
                Visit(file, status, tightened);
            }
        }

        return tightened;
    }

    /// <summary>
    /// Refuses a file the dashboard is about to trust (a password, a key) when another user owns it or may write it.
    /// Nothing happens when it does not exist.
    /// </summary>
    /// <exception cref="UntrustedPathException">Another user owns or may write the file.</exception>
    public static void CheckTrusted(string path, string what)
    {
        if (!OperatingSystem.IsWindows() && UnixFileStatus.Read(path) is { } status)
        {
            Check(path, status, what);
        }
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void Visit(string path, UnixFileStatus status, List<string> tightened)
    {
        Check(path, status, status.IsDirectory ? "data folder" : "data file");
        if (status.IsSymbolicLink || !status.IsOpenToOthers)
        {
            return;
        }

        // Folders keep rwx for the owner; files keep only the owner's bits they had.
        File.SetUnixFileMode(path, status.IsDirectory ? FolderMode : status.Mode & OwnerPermissions);
        tightened.Add(path);
    }

    private static void Check(string path, UnixFileStatus status, string what)
    {
        var me = UnixFileStatus.CurrentUserId;
        if (status.OwnerId != me)
        {
            throw new UntrustedPathException(
                $"The {what} {path} is owned by uid {status.OwnerId}, not by the dashboard's user (uid {me}): another user could change what the " +
                $"dashboard trusts there. Give it to the dashboard's user (chown -R {me} {path}) or point the dashboard at a folder of its own " +
                "(Dashboard:DataDirectory).");
        }

        if (status.IsWritableByOthers)
        {
            throw new UntrustedPathException(
                $"The {what} {path} may be written by other users (mode {Convert.ToString((int)status.Mode, 8)}): another user could change what " +
                $"the dashboard trusts there. Make it the owner's only (chmod go-w {path}) or point the dashboard at a folder of its own " +
                "(Dashboard:DataDirectory).");
        }
    }

    private static partial class NativeMethods
    {
        [LibraryImport("libc", EntryPoint = "umask")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial uint SetUmask(uint mask);
    }
}

/// <summary>A data folder or file that another user owns or may write: the dashboard does not start on it. The message says what to do.</summary>
public sealed class UntrustedPathException : Exception
{
    public UntrustedPathException(string message)
        : base(message)
    {
    }

    public UntrustedPathException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public UntrustedPathException()
    {
    }
}
