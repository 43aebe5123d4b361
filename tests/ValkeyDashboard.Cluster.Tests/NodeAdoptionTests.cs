using ValkeyDashboard.Cluster.Hosting;

namespace ValkeyDashboard.Cluster.Tests;

/// <summary>
/// When the embedded cluster starts, a node found running is adopted only when every link proves it ours; anything
/// else on its port is refused (and left alone), and nothing running means start it.
/// </summary>
public class NodeAdoptionTests
{
    private const int Pid = 4242;
    private const string Folder = "/data/cluster/node-7000";
    private const string Config = "port 7000\n";
    private const string Id = "0123456789abcdef0123456789abcdef01234567";

    private static readonly NodeExpectation Expected = new(7000, Folder, Folder + "/valkey.conf", Id, Config, "/opt/valkey/bin/valkey-server", new Version(9, 1, 2));

    /// <summary>Our node, running as the layout says, with the configured binaries and settings.</summary>
    private static readonly NodeObservation Ours = new()
    {
        PidFilePid = Pid,
        PidRunning = true,
        PidName = "valkey-server",
        PidWorkingDirectory = Folder,
        StartedWith = "/opt/valkey/bin/valkey-server",
        PortInUse = true,
        PortListener = Pid,
        Server = new ServerIdentity(Pid, 7000, Folder + "/valkey.conf", "9.1.2"),
        MyId = Id,
        ConfigOnDisk = Config,
    };

    [Fact]
    public void Our_running_node_is_adopted_with_nothing_to_flag()
    {
        var decision = NodeAdoption.Decide(Ours, Expected);

        Assert.Equal(AdoptionVerdict.Adopt, decision.Verdict);
        Assert.Equal(Pid, decision.ProcessId);
        Assert.Empty(decision.Drift);
    }

    [Fact]
    public void Nothing_running_and_a_free_port_means_start()
    {
        var decision = NodeAdoption.Decide(new NodeObservation { PidFilePid = Pid, PidRunning = false }, Expected);

        Assert.Equal(AdoptionVerdict.Start, decision.Verdict);
        Assert.Null(decision.ProcessId);
    }

    public static TheoryData<string, NodeObservation, string, int?> Strangers => new()
    {
        { "a stale pid file and someone else on the port", Ours with { PidRunning = false, PortListener = 999 }, "port 7000 is in use by pid 999", 999 },
        { "the pid is not a valkey-server", Ours with { PidName = "python3", PortListener = 999 }, "port 7000 is in use by pid 999", 999 },
        { "a valkey-server of another folder", Ours with { PidWorkingDirectory = "/elsewhere", PortListener = 999 }, "not this node's valkey-server", 999 },
        { "a listener this user cannot see", Ours with { PidRunning = false, PortListener = null }, "a process this user cannot see", null },
        { "our process, but another one on the port", Ours with { PortListener = 999 }, "port 7000 is held by pid 999, while the node's pid file names pid 4242", 999 },
        { "our process, not listening", Ours with { PortInUse = false, PortListener = null }, "does not listen on port 7000", Pid },
        { "the password is refused", Ours with { Server = null, ServerError = "WRONGPASS invalid username-password pair" }, "does not answer with the cluster's password (WRONGPASS", Pid },
        { "another process answers", Ours with { Server = new ServerIdentity(5555, 7000, Folder + "/valkey.conf", "9.1.2"), PortListener = null }, "is pid 5555", 5555 },
        { "started with another config", Ours with { Server = new ServerIdentity(Pid, 7000, "/etc/valkey/valkey.conf", "9.1.2") }, "was started with /etc/valkey/valkey.conf", Pid },
        { "another cluster node", Ours with { MyId = "ffffffffffffffffffffffffffffffffffffffff" }, "the layout records " + Id, Pid },
    };

    [Theory]
    [MemberData(nameof(Strangers))]
    public void Anything_not_provably_ours_is_refused_and_named(string situation, NodeObservation seen, string reason, int? pid)
    {
        var decision = NodeAdoption.Decide(seen, Expected);

        Assert.True(decision.Verdict == AdoptionVerdict.Refuse, situation);
        Assert.Contains(reason, decision.Reason, StringComparison.Ordinal);
        Assert.Equal(pid, decision.ProcessId);
    }

    [Fact]
    public void A_node_on_other_binaries_is_adopted_and_flagged_for_a_rolling_restart()
    {
        var decision = NodeAdoption.Decide(Ours with { StartedWith = "/opt/valkey-old/bin/valkey-server", Server = Ours.Server! with { Version = "9.1.1" } }, Expected);

        Assert.Equal(AdoptionVerdict.Adopt, decision.Verdict);
        var drift = Assert.Single(decision.Drift);
        Assert.Equal("runs Valkey 9.1.1 from /opt/valkey-old/bin/valkey-server; the configured binaries are Valkey 9.1.2 from /opt/valkey/bin/valkey-server: a rolling restart upgrades it", drift);
    }

    [Fact]
    public void A_node_started_from_other_settings_is_adopted_and_flagged()
    {
        var decision = NodeAdoption.Decide(Ours with { ConfigOnDisk = "port 7000\nappendonly no\n" }, Expected);

        Assert.Equal(AdoptionVerdict.Adopt, decision.Verdict);
        Assert.Contains("a rolling restart applies them", Assert.Single(decision.Drift), StringComparison.Ordinal);
    }

    [Fact]
    public void A_layout_without_recorded_ids_adopts_on_the_other_links()
    {
        Assert.Equal(AdoptionVerdict.Adopt, NodeAdoption.Decide(Ours with { MyId = "anything" }, Expected with { NodeId = null }).Verdict);
    }
}
