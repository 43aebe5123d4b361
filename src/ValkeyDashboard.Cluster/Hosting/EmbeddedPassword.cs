using System.Security.Cryptography;
using ValkeyDashboard.Cluster.Storage;

namespace ValkeyDashboard.Cluster.Hosting;

/// <summary>
/// The password of an embedded cluster when none is configured: generated at the first start and kept in the
/// cluster's data folder, readable by its owner only, so the nodes never run open even on loopback (any local
/// process or user could otherwise read and change every key).
/// </summary>
public static class EmbeddedPassword
{
    public const string FileName = "password";

    /// <summary>
    /// The password in <paramref name="dataDirectory"/>, created (32 random bytes, base64url) when there is none. A
    /// file another user owns or may write is refused (<see cref="UntrustedPathException"/>): they would choose the
    /// password the nodes are given.
    /// </summary>
    public static string LoadOrCreate(string dataDirectory)
    {
        var path = PathIn(dataDirectory);
        PrivateFiles.CheckTrusted(dataDirectory, "embedded cluster's data folder");
        PrivateFiles.CheckTrusted(path, "embedded cluster's password file");
        if (File.Exists(path))
        {
            var existing = File.ReadAllText(path).Trim();
            if (existing.Length > 0)
            {
                return existing;
            }
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(dataDirectory);
        }
        else
        {
            Directory.CreateDirectory(dataDirectory, PrivateFiles.FolderMode);
        }

        var password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var file = new StreamWriter(path, options))
        {
            file.Write(password);
        }

        if (!OperatingSystem.IsWindows())
        {
            // Also when the file existed empty with other permissions.
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return password;
    }

    public static string PathIn(string dataDirectory) => Path.Combine(dataDirectory, FileName);
}
