using System.Diagnostics;
using System.Text;

namespace ValkeyDashboard.Benchmarks;

/// <summary>What a finished command printed and how it ended.</summary>
internal sealed record CommandResult(string CommandLine, int ExitCode, string Output, TimeSpan Elapsed)
{
    /// <summary>The last lines of the output, for error messages.</summary>
    public string Tail(int lines = 15) => string.Join('\n', Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(lines));

    /// <summary>Throws <see cref="BenchmarkFailedException"/> with the output's tail unless the command exited with 0.</summary>
    public CommandResult EnsureSuccess() =>
        ExitCode == 0 ? this : throw new BenchmarkFailedException($"`{CommandLine}` exited with {ExitCode}:\n{Tail()}");
}

/// <summary>Runs a program to its end (bounded by a timeout), with stdout and stderr captured together.</summary>
internal static class ExternalCommand
{
    public static async Task<CommandResult> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        TimeSpan timeout,
        CancellationToken cancellationToken,
        string? workingDirectory = null,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[name] = value;
        }

        var commandLine = string.Join(' ', start.ArgumentList.Prepend(fileName));
        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);

        var clock = Stopwatch.StartNew();
        if (!process.Start())
        {
            throw new BenchmarkFailedException($"could not start `{commandLine}`");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            cancellationToken.ThrowIfCancellationRequested();
            throw new BenchmarkFailedException($"`{commandLine}` did not finish within {timeout.TotalSeconds:0} s:\n{Tail(output)}");
        }

        var elapsed = clock.Elapsed;
        lock (output)
        {
            return new CommandResult(commandLine, process.ExitCode, output.ToString(), elapsed);
        }
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.Append(line).Append('\n');
        }
    }

    private static string Tail(StringBuilder output)
    {
        lock (output)
        {
            return new CommandResult(string.Empty, 0, output.ToString(), TimeSpan.Zero).Tail();
        }
    }
}

/// <summary>The run cannot go on or its result would be wrong: a migration failed, keys were lost, a wait timed out.</summary>
internal sealed class BenchmarkFailedException(string message, Exception? inner = null) : Exception(message, inner);
