using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using ValkeyDashboard.Cluster;
using ValkeyDashboard.Cluster.Doctor;
using ValkeyDashboard.Cluster.Model;
using ValkeyDashboard.Components.Controls;

namespace ValkeyDashboard.Components.Tests;

/// <summary>The Doctor panel: findings live from the doctor, each fix previewed by its exact commands and sent only once confirmed.</summary>
public class DoctorPanelTests : DashboardTestContext
{
    private const string P1 = "f00808e43d0cecd599d907fe6b23d78d6f0b6cdc", P2 = "e4d8622f676f2cad9e53a5bb8e362a58080f10c2";

    private static readonly DoctorFinding SlotStatsOff = DoctorFinding.Create(
        DoctorKinds.SlotStatsDisabled, DoctorSeverity.Info, [P1, P2], SlotRangeSet.Empty, "Per-slot CPU and network statistics are off on 127.0.0.1:7000, 127.0.0.1:7001",
        hash => new FixedStepsFix($"enable-slot-stats-{hash}", "Turn per-slot statistics on", [new DoctorFixStep("2 node(s) turn slot statistics on", [
            new ConfigSetCommand("127.0.0.1:7000", "cluster-slot-stats-enabled", "yes"), new ConfigSetCommand("127.0.0.1:7001", "cluster-slot-stats-enabled", "yes")])]));

    private static readonly DoctorFinding Disputed = DoctorFinding.Create(
        DoctorKinds.SlotOwnerDisagreement, DoctorSeverity.Error, [P1, P2], SlotRangeSet.Parse("16000-16001"), "Primaries disagree about who owns slot(s) 16000-16001");

    private IRenderedComponent<DoctorPanel> RenderPanel(bool canOperate = true) =>
        Render<DoctorPanel>(p => p.Add(c => c.CanOperate, canOperate).Add(c => c.Actor, "alice"));

    [Fact]
    public void Each_finding_is_shown_with_its_severity_message_and_slots()
    {
        Doctor.Publish(FakeClusterDoctor.Report(Disputed, SlotStatsOff));

        var cut = RenderPanel();

        cut.WaitForAssertion(() =>
        {
            var disputed = cut.Find($"[data-testid='doctor-finding-{Disputed.Id}']");
            Assert.Equal("error", disputed.GetAttribute("data-severity"));
            Assert.Contains("slots 16000-16001", disputed.TextContent, StringComparison.Ordinal);
            Assert.Contains("Primaries disagree", cut.Find($"[data-testid='doctor-finding-message-{Disputed.Id}']").TextContent, StringComparison.Ordinal);
            Assert.Equal("info", cut.Find($"[data-testid='doctor-finding-{SlotStatsOff.Id}']").GetAttribute("data-severity"));
            Assert.Contains("1 error", cut.Find("[data-testid='doctor-count-error']").TextContent, StringComparison.Ordinal);
        });
        Assert.Single(cut.FindAll("[data-testid^='doctor-fix-']"));
    }

    [Fact]
    public void A_finding_that_appears_later_is_shown_and_one_that_goes_is_removed()
    {
        var cut = RenderPanel();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid='doctor-checking']")));

        Doctor.Publish(FakeClusterDoctor.Report(Disputed));
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find($"[data-testid='doctor-finding-{Disputed.Id}']")));
        Doctor.Publish(FakeClusterDoctor.Report());

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid='doctor-no-findings']")));
    }

    [Fact]
    public async Task A_fix_shows_its_exact_commands_and_is_sent_only_after_confirmation()
    {
        Doctor.Publish(FakeClusterDoctor.Report(SlotStatsOff));
        var cut = RenderPanel();
        var fixId = SlotStatsOff.Fix!.Id;

        await cut.WaitForAssertionAsync(() => Assert.NotNull(cut.Find($"[data-testid='doctor-fix-{fixId}']")));
        await cut.Find($"[data-testid='doctor-fix-{fixId}']").ClickAsync(new MouseEventArgs());

        await cut.WaitForAssertionAsync(() => Assert.Equal(
            ["127.0.0.1:7000: CONFIG SET cluster-slot-stats-enabled yes", "127.0.0.1:7001: CONFIG SET cluster-slot-stats-enabled yes"],
            cut.FindAll("[data-testid='doctor-fix-command']").Select(c => c.TextContent)));
        Assert.Equal([(fixId, true, "alice", (string?)null)], Doctor.Requests);

        await cut.Find("[data-testid='doctor-fix-confirm']").ClickAsync(new MouseEventArgs());

        await cut.WaitForAssertionAsync(() => Assert.NotNull(cut.Find("[data-testid='doctor-no-findings']")));
        Assert.Equal([(fixId, true, "alice", (string?)null), (fixId, false, "alice", (string?)null)], Doctor.Requests);
        Assert.Empty(cut.FindAll("[data-testid='doctor-fix-preview']"));
    }

    [Fact]
    public async Task A_refused_fix_says_why_and_keeps_the_preview()
    {
        Doctor.Publish(FakeClusterDoctor.Report(SlotStatsOff));
        Doctor.FixError = RequestRefusedException.Conflict("the finding of fix x is gone");
        var cut = RenderPanel();
        var fixId = SlotStatsOff.Fix!.Id;
        await cut.WaitForAssertionAsync(() => Assert.NotNull(cut.Find($"[data-testid='doctor-fix-{fixId}']")));
        await cut.Find($"[data-testid='doctor-fix-{fixId}']").ClickAsync(new MouseEventArgs());
        await cut.WaitForAssertionAsync(() => Assert.NotNull(cut.Find("[data-testid='doctor-fix-confirm']")));

        await cut.Find("[data-testid='doctor-fix-confirm']").ClickAsync(new MouseEventArgs());

        await cut.WaitForAssertionAsync(() => Assert.Contains("the finding of fix x is gone", cut.Find("[data-testid='doctor-fix-error']").TextContent, StringComparison.Ordinal));
        Assert.NotNull(cut.Find($"[data-testid='doctor-finding-{SlotStatsOff.Id}']"));
    }

    [Fact]
    public async Task Unassigned_slots_go_to_the_primary_chosen_in_the_preview()
    {
        var unassigned = DoctorFinding.Create(DoctorKinds.UnassignedSlots, DoctorSeverity.Error, [], SlotRangeSet.Parse("0-15"), "16 slot(s) (0-15) are served by no primary",
            hash => new Cluster.Doctor.Checks.AssignSlotsFix($"assign-slots-{hash}", SlotRangeSet.Parse("0-15"),
                [new(P1, "127.0.0.1:7000", 4000), new(P2, "127.0.0.1:7001", 5000)], []));
        Doctor.Publish(FakeClusterDoctor.Report(unassigned));
        var cut = RenderPanel();
        var fixId = unassigned.Fix!.Id;
        await cut.WaitForAssertionAsync(() => Assert.NotNull(cut.Find($"[data-testid='doctor-fix-{fixId}']")));
        await cut.Find($"[data-testid='doctor-fix-{fixId}']").ClickAsync(new MouseEventArgs());
        await cut.WaitForAssertionAsync(() => Assert.Equal("127.0.0.1:7000: CLUSTER ADDSLOTSRANGE 0 15", cut.Find("[data-testid='doctor-fix-command']").TextContent));

        await cut.Find("[data-testid='doctor-fix-primary']").ChangeAsync(new ChangeEventArgs { Value = P2 });

        await cut.WaitForAssertionAsync(() => Assert.Equal("127.0.0.1:7001: CLUSTER ADDSLOTSRANGE 0 15", cut.Find("[data-testid='doctor-fix-command']").TextContent));
        await cut.Find("[data-testid='doctor-fix-confirm']").ClickAsync(new MouseEventArgs());
        await cut.WaitForAssertionAsync(() => Assert.NotNull(cut.Find("[data-testid='doctor-no-findings']")));
        Assert.Equal([(fixId, true, "alice", null), (fixId, true, "alice", P2), (fixId, false, "alice", P2)], Doctor.Requests);
    }

    [Fact]
    public void A_viewer_sees_the_findings_but_no_fix()
    {
        Doctor.Publish(FakeClusterDoctor.Report(SlotStatsOff));

        var cut = RenderPanel(canOperate: false);

        cut.WaitForAssertion(() => Assert.NotNull(cut.Find($"[data-testid='doctor-finding-{SlotStatsOff.Id}']")));
        Assert.Empty(cut.FindAll($"[data-testid='doctor-fix-{SlotStatsOff.Fix!.Id}']"));
    }
}
