namespace ValkeyDashboard.IntegrationTests.Infrastructure;

/// <summary>A failing clean-up never hides the failure of the test it cleans up after.</summary>
public class TestCleanupTests
{
    [Fact]
    public async Task When_the_test_and_its_cleanup_both_fail_the_test_failure_comes_first_and_the_cleanup_failure_with_it()
    {
        var testFailure = new InvalidOperationException("the assertion");
        var cleanupFailure = new TimeoutException("the clean-up");

        var thrown = await Assert.ThrowsAsync<CleanupAfterFailureException>(() =>
            TestCleanup.RunAsync(() => throw testFailure, () => throw cleanupFailure));

        Assert.Same(testFailure, thrown.TestFailure);
        Assert.Same(cleanupFailure, thrown.CleanupFailure);
        Assert.StartsWith("The test failed: the assertion", thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_only_the_test_fails_its_own_failure_is_thrown_after_the_cleanup_ran()
    {
        var testFailure = new InvalidOperationException("the assertion");
        var cleanedUp = false;

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            TestCleanup.RunAsync(() => throw testFailure, () => Task.FromResult(cleanedUp = true)));

        Assert.Same(testFailure, thrown);
        Assert.True(cleanedUp);
    }

    [Fact]
    public async Task When_only_the_cleanup_fails_its_failure_fails_the_test()
    {
        var cleanupFailure = new TimeoutException("the clean-up");

        var thrown = await Assert.ThrowsAsync<TimeoutException>(() => TestCleanup.RunAsync(() => Task.CompletedTask, () => throw cleanupFailure));

        Assert.Same(cleanupFailure, thrown);
    }

    [Fact]
    public async Task In_a_finally_block_a_failing_cleanup_after_a_failed_test_reports_both_the_test_failure_first()
    {
        var testFailure = new InvalidOperationException("the assertion");
        var cleanupFailure = new TimeoutException("the clean-up");

        var thrown = await Assert.ThrowsAsync<CleanupAfterFailureException>(() => TestCleanup.FinallyAsync(testFailure, () => throw cleanupFailure));

        Assert.Same(testFailure, thrown.TestFailure);
        Assert.Same(cleanupFailure, thrown.CleanupFailure);
    }

    [Fact]
    public async Task In_a_finally_block_a_failing_cleanup_after_a_passing_test_fails_it()
    {
        var cleanupFailure = new TimeoutException("the clean-up");

        Assert.Same(cleanupFailure, await Assert.ThrowsAsync<TimeoutException>(() => TestCleanup.FinallyAsync(null, () => throw cleanupFailure)));
    }
}
