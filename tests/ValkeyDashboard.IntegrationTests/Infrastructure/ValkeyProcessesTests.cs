using System.Diagnostics;
using System.Globalization;

namespace ValkeyDashboard.IntegrationTests.Infrastructure;

/// <summary>
/// The process table lookup the "nothing left running" checks rely on: it finds a running valkey-server by its folder,
/// and when it cannot read a process it says so instead of reporting none.
/// </summary>
public sealed class ValkeyProcessesTests : IDisposable
{
    private readonly string _scratch = TestDirectories.Create("proc");

    [Fact]
    public async Task A_running_valkey_server_is_found_by_its_working_folder_and_not_once_it_has_ended()
    {
        // A stand-in named valkey-server (argv[0]) that runs in a folder of its own, as each test node does.
        var start = new ProcessStartInfo("/bin/bash") { WorkingDirectory = _scratch, RedirectStandardOutput = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec -a valkey-server sleep 60");
        using var process = Process.Start(start)!;
        try
        {
            await Cluster.Concurrency.Wait.UntilAsync(_ => Task.FromResult(ValkeyProcesses.Find(_scratch).Contains(process.Id)),
                TimeSpan.FromSeconds(10), $"pid {process.Id} to be found in {_scratch}", TimeSpan.FromMilliseconds(20));
            Assert.True(ValkeyProcesses.IsRunning(process.Id));
        }
        finally
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        Assert.DoesNotContain(process.Id, ValkeyProcesses.Find(_scratch));
        Assert.False(ValkeyProcesses.IsRunning(process.Id));
    }

    [Fact]
    public void A_process_that_cannot_be_read_fails_the_lookup_instead_of_counting_as_none()
    {
        var proc = FakeProcessTable();
        var unreadable = Path.Combine(proc, "4242");
        Directory.CreateDirectory(unreadable);
        File.WriteAllText(Path.Combine(unreadable, "status"), $"Name:\tvalkey-server\nUid:\t{MyUid()}\t0\t0\t0\n");
        File.WriteAllText(Path.Combine(unreadable, "stat"), "4242 (valkey-server) S 1 4242");
        // Reading a folder as the command line fails the way an unreadable /proc entry does.
        Directory.CreateDirectory(Path.Combine(unreadable, "cmdline"));

        var ex = Assert.Throws<InvalidOperationException>(() => ValkeyProcesses.Find(proc, marker: null));

        Assert.Contains(unreadable, ex.Message, StringComparison.Ordinal);
        Assert.Contains("whether it is a valkey-server of the tests is unknown", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Processes_of_another_user_are_not_the_tests_and_are_skipped_unread()
    {
        var proc = FakeProcessTable();
        var foreign = Path.Combine(proc, "4343");
        Directory.CreateDirectory(foreign);
        File.WriteAllText(Path.Combine(foreign, "status"), $"Name:\tvalkey-server\nUid:\t{MyUid() + 1}\t0\t0\t0\n");

        Assert.Empty(ValkeyProcesses.Find(proc, marker: null));
    }

    public void Dispose() => TestDirectories.Delete(_scratch);

    /// <summary>A process table with only <c>self</c> in it (this user).</summary>
    private string FakeProcessTable()
    {
        var proc = Path.Combine(_scratch, "proc");
        Directory.CreateDirectory(Path.Combine(proc, "self"));
        File.WriteAllText(Path.Combine(proc, "self", "status"), $"Name:\ttesthost\nUid:\t{MyUid()}\t0\t0\t0\n");
        return proc;
    }

    private static int MyUid() =>
        int.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}
