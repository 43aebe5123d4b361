using System.Runtime.InteropServices;

namespace ValkeyDashboard.Cluster.Storage;

/// <summary>
/// Who owns a file and who may write it: .NET reads a file's mode but not its owner, so this asks the kernel with
/// <c>statx</c>, whose result has the same layout on every Linux architecture (unlike <c>struct stat</c>).
/// </summary>
public readonly partial record struct UnixFileStatus(uint OwnerId, uint GroupId, UnixFileMode Mode, bool IsDirectory, bool IsSymbolicLink)
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1, StatxMode = 0x2, StatxUid = 0x8, StatxGid = 0x10;
    private const int StatxSize = 256, UidOffset = 20, GidOffset = 24, ModeOffset = 28;
    private const int TypeMask = 0xF000, DirectoryType = 0x4000, SymbolicLinkType = 0xA000;

    /// <summary>The uid this process runs as (its effective uid).</summary>
    public static uint CurrentUserId => NativeMethods.GetEffectiveUserId();

    /// <summary>The gid this process runs as (its effective gid).</summary>
    public static uint CurrentGroupId => NativeMethods.GetEffectiveGroupId();

    /// <summary>
    /// The status of <paramref name="path"/> itself (a symbolic link is not followed when
    /// <paramref name="followSymbolicLink"/> is false); null when it does not exist.
    /// </summary>
    public static unsafe UnixFileStatus? Read(string path, bool followSymbolicLink = true)
    {
        var buffer = stackalloc byte[StatxSize];
        if (NativeMethods.Statx(AtFdCwd, path, followSymbolicLink ? 0 : AtSymlinkNoFollow, StatxType | StatxMode | StatxUid | StatxGid, buffer) != 0)
        {
            var error = Marshal.GetLastPInvokeError();
            return error == 2 /* ENOENT */ ? null : throw new IOException($"cannot read the owner of {path}: {Marshal.GetPInvokeErrorMessage(error)} (errno {error})");
        }

        var mode = *(ushort*)(buffer + ModeOffset);
        return new UnixFileStatus(
            *(uint*)(buffer + UidOffset),
            *(uint*)(buffer + GidOffset),
            (UnixFileMode)(mode & 0xFFF),
            (mode & TypeMask) == DirectoryType,
            (mode & TypeMask) == SymbolicLinkType);
    }

    /// <summary>
    /// Whether a user other than the owner may change it: writable by others, or by a group other than this process's
    /// own (a group-writable file of the owner's private group, as umask 002 makes them, is not).
    /// </summary>
    public bool IsWritableByOthers =>
        Mode.HasFlag(UnixFileMode.OtherWrite) || (Mode.HasFlag(UnixFileMode.GroupWrite) && GroupId != CurrentGroupId);

    /// <summary>Group or others have any permission on it.</summary>
    public bool IsOpenToOthers => (Mode & (GroupPermissions | OtherPermissions)) != 0;

    private const UnixFileMode GroupPermissions = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute;
    private const UnixFileMode OtherPermissions = UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private static partial class NativeMethods
    {
        [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static unsafe partial int Statx(int directoryFd, string path, int flags, uint mask, byte* buffer);

        [LibraryImport("libc", EntryPoint = "geteuid")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial uint GetEffectiveUserId();

        [LibraryImport("libc", EntryPoint = "getegid")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static partial uint GetEffectiveGroupId();
    }
}
