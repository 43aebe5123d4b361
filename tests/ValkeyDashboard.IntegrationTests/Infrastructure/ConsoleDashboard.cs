using System.Diagnostics;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using ValkeyDashboard.Cluster.Hosting;

namespace ValkeyDashboard.IntegrationTests.Infrastructure;

/// <summary>
/// The real dashboard as a child process (what an operator or a container starts), for tests of what only a real start
/// shows: where it listens, where it writes, what it prints. Every line it prints is kept; waits have deadlines and
/// fail with the output. Disposing sends SIGTERM, then kills it if it has not exited within 15 s. (<see cref="DashboardProcess"/>
/// is the dashboard with its embedded cluster and a token, for crash tests; this one takes any command line, environment
/// and user, and waits for what it prints.)
/// </summary>
public sealed class ConsoleDashboard : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);

    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly Channel<bool> _printed = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    private ConsoleDashboard(Process process) => _process = process;

    /// <summary>The built dashboard (<c>ValkeyDashboard.dll</c> beside the tests).</summary>
    public static string BuiltDll => typeof(Program).Assembly.Location;

    /// <summary>Everything it printed so far (standard output and error, in order of arrival).</summary>
    public string Output
    {
        get
        {
            lock (_lines)
            {
                return string.Join('\n', _lines);
            }
        }
    }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>
    /// Starts <paramref name="command"/> with <paramref name="arguments"/> in <paramref name="workingDirectory"/>. The
    /// environment is this process's plus <paramref name="environment"/>, or only <paramref name="environment"/> when
    /// <paramref name="cleanEnvironment"/> (as in a container). With <paramref name="userId"/> it runs as that uid and
    /// gid with no supplementary groups (through <c>setpriv</c>, which replaces itself with the command: the pid is the
    /// dashboard's).
    /// </summary>
    public static ConsoleDashboard Start(
        string command,
        IEnumerable<string> arguments,
        string workingDirectory,
        IReadOnlyDictionary<string, string?>? environment = null,
        bool cleanEnvironment = false,
        int? userId = null)
    {
        var start = new ProcessStartInfo(userId is null ? command : Setpriv)
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (userId is { } uid)
        {
            foreach (var argument in new[] { $"--reuid={uid}", $"--regid={uid}", "--clear-groups", "--", command })
            {
                start.ArgumentList.Add(argument);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (cleanEnvironment)
        {
            start.Environment.Clear();
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start };
        var dashboard = new ConsoleDashboard(process);
        process.OutputDataReceived += (_, e) => dashboard.Add(e.Data);
        process.ErrorDataReceived += (_, e) => dashboard.Add(e.Data);
        process.Exited += (_, _) => dashboard._printed.Writer.TryWrite(true);
        process.EnableRaisingEvents = true;
        if (!process.Start())
        {
            throw new InvalidOperationException($"{command} did not start");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return dashboard;
    }

    /// <summary>The <c>dotnet</c> the tests run on (its full path, for a clean environment without this PATH).</summary>
    public static string DotnetHost =>
        Environment.ProcessPath is { } host && Path.GetFileNameWithoutExtension(host) == "dotnet"
            ? host
            : (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
                .Select(dir => Path.Combine(dir, "dotnet")).FirstOrDefault(File.Exists) ?? "dotnet";

    /// <summary><c>setpriv</c> (util-linux), which eng/test.sh makes sure is installed.</summary>
    public const string Setpriv = "/usr/bin/setpriv";

    /// <summary>The first printed line that matches <paramref name="pattern"/>; fails with the output when it exits first or the time runs out.</summary>
    public async Task<Match> WaitForLineAsync(Regex pattern, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            lock (_lines)
            {
                foreach (var line in _lines)
                {
                    if (pattern.Match(line) is { Success: true } match)
                    {
                        return match;
                    }
                }
            }

            if (_process.HasExited)
            {
                // The last lines may still be on their way.
                await _process.WaitForExitAsync(CancellationToken.None);
                if (Lines().Select(l => pattern.Match(l)).FirstOrDefault(m => m.Success) is { } late)
                {
                    return late;
                }

                throw new InvalidOperationException($"the dashboard exited ({_process.ExitCode}) without printing a line like /{pattern}/:\n{Output}");
            }

            try
            {
                await _printed.Reader.ReadAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"the dashboard printed no line like /{pattern}/ within {timeout.TotalSeconds:0} s:\n{Output}");
            }
        }
    }

    /// <summary>Waits for it to exit by itself (a refused start); its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"the dashboard did not exit within {timeout.TotalSeconds:0} s:\n{Output}");
        }

        return _process.ExitCode;
    }

    /// <summary>SIGTERM (what <c>docker stop</c> and Ctrl+C send), then a kill after 15 s; its exit code.</summary>
    public async Task<int> StopAsync()
    {
        if (!_process.HasExited)
        {
            PosixSignals.Terminate(_process.Id);
            try
            {
                await _process.WaitForExitAsync().WaitAsync(StopTimeout);
            }
            catch (TimeoutException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            _process.Dispose();
        }
    }

    private List<string> Lines()
    {
        lock (_lines)
        {
            return [.. _lines];
        }
    }

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            _lines.Add(line);
        }

        _printed.Writer.TryWrite(true);
    }
}
