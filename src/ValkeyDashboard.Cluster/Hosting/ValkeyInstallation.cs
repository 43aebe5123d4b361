using System.Diagnostics;
using System.Text.RegularExpressions;

namespace ValkeyDashboard.Cluster.Hosting;

/// <summary>The Valkey binaries the embedded cluster runs, and their version.</summary>
public sealed partial record ValkeyInstallation(string ServerPath, string CliPath, Version Version, string Source)
{
    /// <summary>Atomic slot migration and slot statistics need Valkey 9.0.</summary>
    public static readonly Version MinimumVersion = new(9, 0);

    /// <summary>Relative folder where <c>eng/get-valkey.sh</c> puts a private copy.</summary>
    public const string PrivateCopyFolder = ".tools/valkey/bin";

    /// <summary>What marks a repository's root: the private copy is looked for up to there and no higher.</summary>
    private static readonly string[] RepositoryMarkers = [".git", "ValkeyDashboard.sln"];

    /// <summary>
    /// Finds <c>valkey-server</c>: the configured folder, then the private copy under
    /// <c>.tools/valkey/bin</c> (in the working directory and the app's folder, and in the folders above them up to
    /// the root of the repository they are in, never higher: a <c>.tools</c> folder anyone could create in a parent
    /// folder must not choose the binaries), then PATH.
    /// Throws <see cref="ValkeyInstallationException"/> naming what was found when nothing usable is there.
    /// </summary>
    public static ValkeyInstallation Locate(string? configuredDirectory) =>
        Locate(configuredDirectory, [Directory.GetCurrentDirectory(), AppContext.BaseDirectory]);

    /// <summary><see cref="Locate(string?)"/>, looking for the private copy from <paramref name="searchFrom"/>.</summary>
    internal static ValkeyInstallation Locate(string? configuredDirectory, IReadOnlyList<string> searchFrom)
    {
        var searched = new List<string>();
        foreach (var (directory, source) in Candidates(configuredDirectory, searchFrom))
        {
            searched.Add(directory);
            var server = Path.Combine(directory, "valkey-server");
            if (!File.Exists(server))
            {
                if (source == "configured")
                {
                    throw new ValkeyInstallationException(
                        $"Valkey:BinaryDirectory is '{directory}' but it has no valkey-server. Fix the setting or run eng/get-valkey.sh.");
                }

                continue;
            }

            var version = ReadVersion(server);
            if (version < MinimumVersion)
            {
                throw new ValkeyInstallationException(
                    $"{server} is Valkey {version}, but the embedded cluster needs Valkey {MinimumVersion} or newer " +
                    "(atomic slot migration). Run eng/get-valkey.sh to get a private Valkey 9, or set Valkey:BinaryDirectory.");
            }

            var cli = Path.Combine(directory, "valkey-cli");
            return new ValkeyInstallation(server, File.Exists(cli) ? cli : "valkey-cli", version, source);
        }

        throw new ValkeyInstallationException(
            $"valkey-server was not found (looked in {string.Join(", ", searched)}). " +
            "Run eng/get-valkey.sh, install Valkey 9 and put it on PATH, or set Valkey:BinaryDirectory.");
    }

    /// <summary>Runs <c>valkey-server --version</c> and parses <c>v=9.1.2</c>.</summary>
    public static Version ReadVersion(string serverPath)
    {
        var startInfo = new ProcessStartInfo(serverPath, "--version")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        string output;
        try
        {
            using var process = Process.Start(startInfo) ?? throw new ValkeyInstallationException($"could not start {serverPath}");
            output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                process.Kill();
                throw new ValkeyInstallationException($"{serverPath} --version did not finish within 10 s");
            }
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new ValkeyInstallationException($"could not run {serverPath}: {ex.Message}", ex);
        }

        return ParseVersion(output) ?? throw new ValkeyInstallationException(
            $"{serverPath} --version printed no version I understand: '{output.Trim()}'");
    }

    /// <summary>Parses the output of <c>valkey-server --version</c> (or <c>redis-server --version</c>).</summary>
    public static Version? ParseVersion(string output)
    {
        var match = VersionPattern().Match(output);
        return match.Success && Version.TryParse(match.Groups[1].Value, out var version) ? version : null;
    }

    private static IEnumerable<(string Directory, string Source)> Candidates(string? configuredDirectory, IReadOnlyList<string> searchFrom)
    {
        if (!string.IsNullOrWhiteSpace(configuredDirectory))
        {
            yield return (Path.GetFullPath(configuredDirectory), "configured");
            yield break;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var start in searchFrom)
        {
            foreach (var dir in UpToRepositoryRoot(new DirectoryInfo(start)))
            {
                var candidate = Path.Combine(dir.FullName, PrivateCopyFolder);
                if (Directory.Exists(candidate) && seen.Add(candidate))
                {
                    yield return (candidate, "private copy");
                }
            }
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            if (seen.Add(dir))
            {
                yield return (dir, "PATH");
            }
        }
    }

    /// <summary><paramref name="start"/> and, when it is inside a repository, the folders above it up to the repository's root.</summary>
    private static List<DirectoryInfo> UpToRepositoryRoot(DirectoryInfo start)
    {
        var chain = new List<DirectoryInfo>();
        for (var dir = start; dir is not null; dir = dir.Parent)
        {
            chain.Add(dir);
            if (RepositoryMarkers.Any(marker => Path.Exists(Path.Combine(dir.FullName, marker))))
            {
                return chain;
            }
        }

        // Not in a repository (a published app, an installed copy): only the folder itself.
        return [start];
    }

    [GeneratedRegex(@"v=(\d+\.\d+(?:\.\d+)?)")]
    private static partial Regex VersionPattern();
}

/// <summary>No usable Valkey installation: missing, too old or not runnable. The message says what to do.</summary>
public sealed class ValkeyInstallationException : Exception
{
    public ValkeyInstallationException(string message)
        : base(message)
    {
    }

    public ValkeyInstallationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ValkeyInstallationException()
    {
    }
}
