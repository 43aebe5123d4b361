using System.Diagnostics;
using System.Globalization;

namespace ValkeyDashboard.IntegrationTests.Infrastructure;

/// <summary>Files as another user would leave them: the tests run as root, so they can give a file away.</summary>
internal static class FileOwners
{
    /// <summary>The uid the .NET images run their app as (<c>$APP_UID</c>); here simply "another user".</summary>
    public const int OtherUser = 1654;

    /// <summary>Gives <paramref name="path"/> (and what is in it, when <paramref name="recursive"/>) to <paramref name="uid"/>.</summary>
    public static void GiveTo(string path, int uid = OtherUser, bool recursive = false)
    {
        var start = new ProcessStartInfo("chown") { UseShellExecute = false, RedirectStandardError = true };
        if (recursive)
        {
            start.ArgumentList.Add("-R");
        }

        start.ArgumentList.Add($"{uid.ToString(CultureInfo.InvariantCulture)}:{uid.ToString(CultureInfo.InvariantCulture)}");
        start.ArgumentList.Add(path);
        using var chown = Process.Start(start)!;
        var error = chown.StandardError.ReadToEnd();
        if (!chown.WaitForExit(TimeSpan.FromSeconds(10)) || chown.ExitCode != 0)
        {
            throw new InvalidOperationException($"chown {uid} {path} failed: {error}");
        }
    }
}
