using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace ValkeyDashboard.IntegrationTests.Container;

/// <summary>
/// What <c>docker build</c> and <c>docker run</c> would do with a Dockerfile, replayed without a Docker engine: each
/// stage gets a folder standing in for its file system, COPY copies from the build context (less what the
/// <c>.dockerignore</c> excludes) or from an earlier stage, RUN runs its shell command as root with umask 022 (absolute
/// paths into the stage's own folders are mapped to the stand-in), and ENV, WORKDIR, USER, EXPOSE, VOLUME and
/// ENTRYPOINT are collected for the run. An instruction the replay does not know fails it, so a new one cannot slip by
/// untested. The base images' own settings that matter are written down here (<see cref="BaseImages"/>).
/// </summary>
public sealed partial class ImageReplay
{
    /// <summary>What the .NET base images set (their Dockerfiles): the app user's uid, the port, the container flag.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> BaseImages = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal)
    {
        ["mcr.microsoft.com/dotnet/aspnet:10.0"] = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["APP_UID"] = "1654",
            ["ASPNETCORE_HTTP_PORTS"] = "8080",
            ["DOTNET_RUNNING_IN_CONTAINER"] = "true",
        },
        ["mcr.microsoft.com/dotnet/sdk:10.0"] = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["APP_UID"] = "1654",
            ["ASPNETCORE_HTTP_PORTS"] = "8080",
            ["DOTNET_RUNNING_IN_CONTAINER"] = "true",
            ["DOTNET_USE_POLLING_FILE_WATCHER"] = "true",
        },
    };

    private static readonly HashSet<string> SystemFolders = new(StringComparer.Ordinal) { "bin", "sbin", "usr", "etc", "dev", "proc", "sys", "lib", "lib64" };

    private readonly Dictionary<string, string> _stageRoots = new(StringComparer.OrdinalIgnoreCase);

    private ImageReplay(string workFolder) => WorkFolder = workFolder;

    public string WorkFolder { get; }

    /// <summary>The runtime stage's file system (its <c>/</c>).</summary>
    public string Root { get; private set; } = string.Empty;

    /// <summary>The environment the image's process starts with (base image's, then each ENV), unmapped.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; private set; } = new Dictionary<string, string>();

    /// <summary>USER, as written after variables are expanded (a uid or a name); null when the image runs as root.</summary>
    public string? User { get; private set; }

    /// <summary>WORKDIR of the runtime stage, in the container.</summary>
    public string WorkingDirectory { get; private set; } = "/";

    public IReadOnlyList<string> Entrypoint { get; private set; } = [];

    public IReadOnlyList<int> ExposedPorts { get; private set; } = [];

    public IReadOnlyList<string> Volumes { get; private set; } = [];

    /// <summary>A path in the container, in the runtime stage's stand-in folder.</summary>
    public string HostPath(string containerPath) => InRoot(Root, containerPath);

    /// <summary>Builds every stage of <paramref name="dockerfilePath"/> with <paramref name="context"/> as the build context.</summary>
    public static async Task<ImageReplay> BuildAsync(string context, string dockerfilePath, string workFolder, IReadOnlyDictionary<string, string?> runEnvironment)
    {
        var dockerfile = Dockerfile.Parse(await File.ReadAllTextAsync(dockerfilePath));
        var ignore = DockerIgnore.Load(File.Exists(dockerfilePath + ".dockerignore") ? dockerfilePath + ".dockerignore" : Path.Combine(context, ".dockerignore"));
        var replay = new ImageReplay(workFolder);
        for (var i = 0; i < dockerfile.Stages.Count; i++)
        {
            await replay.BuildStageAsync(dockerfile.Stages[i], i, context, ignore, runEnvironment, isLast: i == dockerfile.Stages.Count - 1);
        }

        return replay;
    }

    private async Task BuildStageAsync(Dockerfile.Stage stage, int index, string context, DockerIgnore ignore, IReadOnlyDictionary<string, string?> runEnvironment, bool isLast)
    {
        if (!BaseImages.TryGetValue(stage.Image, out var baseEnvironment))
        {
            throw new NotSupportedException($"FROM {stage.Image}: the replay knows only {string.Join(", ", BaseImages.Keys)}; write down what the new base image sets in ImageReplay.BaseImages");
        }

        var root = Path.Combine(WorkFolder, $"{index}-{stage.Name ?? "stage"}");
        CreateFolder(root);
        _stageRoots[stage.Name ?? index.ToString(CultureInfo.InvariantCulture)] = root;
        var environment = new Dictionary<string, string>(baseEnvironment, StringComparer.Ordinal);
        var workdir = "/";
        string? user = null;
        IReadOnlyList<string> entrypoint = [];
        var exposed = new List<int>();
        var volumes = new List<string>();
        foreach (var instruction in stage.Instructions)
        {
            switch (instruction.Keyword)
            {
                case "WORKDIR":
                    workdir = ContainerPath(workdir, Expand(instruction.Arguments, environment));
                    CreateFolder(InRoot(root, workdir));
                    break;
                case "ENV":
                    foreach (var (key, value) in instruction.EnvironmentVariables())
                    {
                        environment[key] = Expand(value, environment);
                    }

                    break;
                case "COPY":
                    Copy(instruction, root, workdir, context, ignore);
                    break;
                case "RUN":
                    await RunAsync(instruction.Arguments, root, workdir, environment, runEnvironment);
                    break;
                case "EXPOSE":
                    exposed.AddRange(instruction.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p.Split('/')[0], CultureInfo.InvariantCulture)));
                    break;
                case "VOLUME":
                    volumes.AddRange(instruction.Arguments.StartsWith('[') ? instruction.ExecForm() : instruction.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries));
                    break;
                case "USER":
                    user = Expand(instruction.Arguments, environment);
                    break;
                case "ENTRYPOINT":
                    entrypoint = instruction.ExecForm();
                    break;
                default:
                    throw new NotSupportedException($"{instruction.Keyword} {instruction.Arguments}: the replay does not carry out {instruction.Keyword}; teach ImageReplay what it does");
            }
        }

        if (isLast)
        {
            Root = root;
            Environment = environment;
            User = user;
            WorkingDirectory = workdir;
            Entrypoint = entrypoint;
            ExposedPorts = exposed;
            Volumes = volumes;
        }
    }

    private void Copy(Dockerfile.Instruction instruction, string root, string workdir, string context, DockerIgnore ignore)
    {
        var (flags, sources, destination) = instruction.CopyArguments();
        if (flags.Keys.Any(f => f != "from"))
        {
            throw new NotSupportedException($"COPY {instruction.Arguments}: the replay knows only --from");
        }

        var fromStage = flags.TryGetValue("from", out var stageName) ? _stageRoots[stageName] : null;
        var target = InRoot(root, ContainerPath(workdir, destination));
        var intoFolder = destination.EndsWith('/') || destination is "." or "./" || sources.Count > 1;
        foreach (var source in sources)
        {
            var from = fromStage is null ? Path.Combine(context, source) : InRoot(fromStage, source);
            if (Directory.Exists(from))
            {
                CopyFolder(from, target, fromStage is null ? context : null, ignore);
            }
            else if (File.Exists(from))
            {
                var to = intoFolder ? Path.Combine(target, Path.GetFileName(from)) : target;
                CreateFolder(Path.GetDirectoryName(to)!);
                File.Copy(from, to, overwrite: true);
            }
            else
            {
                throw new FileNotFoundException($"COPY {instruction.Arguments}: {source} is not in the {(fromStage is null ? "build context" : "stage " + stageName)}");
            }
        }
    }

    /// <summary>The contents of <paramref name="from"/> into <paramref name="to"/>, as COPY does with a folder (symbolic links stay links).</summary>
    private static void CopyFolder(string from, string to, string? context, DockerIgnore ignore)
    {
        CreateFolder(to);
        foreach (var entry in new DirectoryInfo(from).EnumerateFileSystemInfos())
        {
            if (context is not null && ignore.Excludes(Path.GetRelativePath(context, entry.FullName)))
            {
                continue;
            }

            var target = Path.Combine(to, entry.Name);
            if (entry.LinkTarget is { } link)
            {
                File.Delete(target);
                File.CreateSymbolicLink(target, link);
            }
            else if (entry is DirectoryInfo)
            {
                CopyFolder(entry.FullName, target, context, ignore);
            }
            else
            {
                File.Copy(entry.FullName, target, overwrite: true);
            }
        }
    }

    /// <summary>RUN's shell form, as root with Docker's umask, in the stage's stand-in; its own absolute paths mapped there.</summary>
    private static async Task RunAsync(string command, string root, string workdir, Dictionary<string, string> environment, IReadOnlyDictionary<string, string?> runEnvironment)
    {
        // Every absolute path but the system's own folders (the tools RUN calls) is the stage's: /src, /app, /app/data.
        var mapped = AbsolutePath().Replace(command, m => SystemFolders.Contains(m.Groups["first"].Value) ? m.Value : root + m.Value);
        var start = new ProcessStartInfo("/bin/sh") { WorkingDirectory = InRoot(root, workdir), UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-euc");
        start.ArgumentList.Add("umask 022\n" + mapped);
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        foreach (var (key, value) in runEnvironment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(8));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"RUN {command} did not finish within 8 minutes");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"RUN {command}\n(as {mapped})\nexited with {process.ExitCode}:\n{await output}\n{await error}");
        }
    }

    /// <summary>$VAR and ${VAR} from the stage's environment, as the Dockerfile's own substitution does.</summary>
    private static string Expand(string text, Dictionary<string, string> environment) =>
        Variable().Replace(text, m => environment.GetValueOrDefault(m.Groups["braced"].Success ? m.Groups["braced"].Value : m.Groups["plain"].Value, string.Empty));

    private static string ContainerPath(string workdir, string path) =>
        path.StartsWith('/') ? path : "/" + Path.GetRelativePath("/", Path.GetFullPath(path, workdir)).Replace("\\", "/", StringComparison.Ordinal).TrimStart('.');

    private static string InRoot(string root, string containerPath) => Path.GetFullPath(Path.Join(root, containerPath.TrimStart('/')));

    /// <summary>A folder as Docker makes one: root's, rwxr-xr-x, whatever this process's umask.</summary>
    private static void CreateFolder(string path)
    {
        Directory.CreateDirectory(path);
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
    }

    [GeneratedRegex(@"(?<=^|[\s""'=])/(?<first>[A-Za-z0-9_.-]+)")]
    private static partial Regex AbsolutePath();

    [GeneratedRegex(@"\$(?:\{(?<braced>[A-Za-z_][A-Za-z0-9_]*)\}|(?<plain>[A-Za-z_][A-Za-z0-9_]*))")]
    private static partial Regex Variable();
}
