using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace ValkeyDashboard.Benchmarks;

/// <summary>
/// The real dashboard (the Release build of src/ValkeyDashboard) as a child process in Embedded mode, with every file
/// it writes in a scratch folder. Stopping sends SIGTERM, on which the dashboard stops its own valkey-server nodes;
/// only if it has not exited after <see cref="GracefulStopTimeout"/> is it killed.
/// </summary>
internal sealed class DashboardProcess : IAsyncDisposable
{
    public static readonly TimeSpan GracefulStopTimeout = TimeSpan.FromSeconds(30);

    private const int TailLines = 40;
    private readonly Process _process;
    private readonly Queue<string> _tail = new();
    private readonly Lock _stopLock = new();

    private DashboardProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public int ProcessId => _process.Id;

    /// <summary>Null until stopped; then whether the dashboard exited by itself after SIGTERM.</summary>
    public bool? StoppedGracefully { get; private set; }

    /// <summary>The last lines the dashboard printed, for error messages.</summary>
    public string OutputTail
    {
        get
        {
            lock (_tail)
            {
                return string.Join('\n', _tail);
            }
        }
    }

    /// <summary>Starts <c>dotnet ValkeyDashboard.dll</c> in the repository root with the given configuration arguments.</summary>
    public static DashboardProcess Start(string repositoryRoot, string valkeyBinDirectory, Uri baseAddress, IEnumerable<string> configuration)
    {
        var dll = Path.Combine(repositoryRoot, "src", "ValkeyDashboard", "bin", "Release", "net10.0", "ValkeyDashboard.dll");
        if (!File.Exists(dll))
        {
            throw new BenchmarkFailedException($"{dll} is missing: the Release build of the dashboard did not produce it");
        }

        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = repositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add($"--Urls={baseAddress.GetLeftPart(UriPartial.Authority)}");
        foreach (var argument in configuration)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PATH"] = $"{valkeyBinDirectory}{Path.PathSeparator}{Environment.GetEnvironmentVariable("PATH")}";

        var process = new Process { StartInfo = start };
        var dashboard = new DashboardProcess(process, baseAddress);
        process.OutputDataReceived += (_, e) => dashboard.Remember(e.Data);
        process.ErrorDataReceived += (_, e) => dashboard.Remember(e.Data);
        if (!process.Start())
        {
            throw new BenchmarkFailedException("could not start the dashboard");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return dashboard;
    }

    /// <summary>Polls <c>GET /health</c> until its status is <c>Healthy</c>; fails if the dashboard exits or the deadline passes.</summary>
    public async Task WaitUntilHealthyAsync(HttpClient http, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var last = "no answer yet";
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                throw new BenchmarkFailedException($"the dashboard exited with {_process.ExitCode} before it was healthy; its last lines:\n{OutputTail}");
            }

            try
            {
                using var health = await http.GetFromJsonAsync<JsonDocument>("/health", cancellationToken);
                var status = health?.RootElement.GetProperty("status").GetString();
                if (status == "Healthy")
                {
                    return;
                }

                last = health?.RootElement.ToString() ?? "empty answer";
            }
            catch (Exception ex) when (ex is HttpRequestException or JsonException or KeyNotFoundException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                last = ex.Message;
            }

            if (clock.Elapsed > timeout)
            {
                throw new BenchmarkFailedException($"the dashboard was not healthy after {timeout.TotalSeconds:0} s (last: {last}); its last lines:\n{OutputTail}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }
    }

    /// <summary>SIGTERM, then up to <see cref="GracefulStopTimeout"/> for the dashboard to stop its nodes and exit; then SIGKILL.</summary>
    public void Stop()
    {
        lock (_stopLock)
        {
            if (StoppedGracefully is not null)
            {
                return;
            }

            if (!_process.HasExited)
            {
                Terminate(_process.Id);
            }

            if (_process.WaitForExit(GracefulStopTimeout))
            {
                StoppedGracefully = true;
                return;
            }

            Console.Error.WriteLine($"The dashboard (pid {_process.Id}) did not stop within {GracefulStopTimeout.TotalSeconds:0} s of SIGTERM; killing it.");
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
            StoppedGracefully = false;
        }
    }

    public ValueTask DisposeAsync()
    {
        // Stopping blocks for up to 30 s; off the caller's thread so a Ctrl+C handler or timer is not held up.
        return new ValueTask(DisposeCoreAsync());

        async Task DisposeCoreAsync()
        {
            await Task.Run(Stop);
            _process.Dispose();
        }
    }

    /// <summary>Sends SIGTERM with kill(1): <see cref="Process.Kill()"/> only knows SIGKILL.</summary>
    private static void Terminate(int pid)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false });
        kill?.WaitForExit();
    }

    private void Remember(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_tail)
        {
            _tail.Enqueue(line);
            while (_tail.Count > TailLines)
            {
                _tail.Dequeue();
            }
        }
    }
}
