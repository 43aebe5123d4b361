using System.Runtime.ExceptionServices;

namespace ValkeyDashboard.IntegrationTests.Infrastructure;

/// <summary>
/// Runs a test's steps and then what puts back what they changed, whatever the steps did. When the steps failed, their
/// failure is what the test reports; a failure of the clean-up then comes with it (<see cref="CleanupAfterFailureException"/>)
/// instead of replacing it, as an exception thrown from a <c>finally</c> would.
/// </summary>
internal static class TestCleanup
{
    public static async Task RunAsync(Func<Task> steps, Func<Task> cleanup)
    {
        ArgumentNullException.ThrowIfNull(steps);
        ArgumentNullException.ThrowIfNull(cleanup);
        try
        {
            await steps();
        }
        catch (Exception failure)
        {
            try
            {
                await cleanup();
            }
            catch (Exception cleanupFailure)
            {
                throw new CleanupAfterFailureException(failure, cleanupFailure);
            }

            ExceptionDispatchInfo.Capture(failure).Throw();
        }

        await cleanup();
    }

    /// <summary>
    /// The same for a <c>finally</c> block: runs <paramref name="cleanup"/>; when it fails after the test already failed
    /// with <paramref name="testFailure"/> (which the test's <c>catch</c> recorded), throws both, the test's first.
    /// </summary>
    public static async Task FinallyAsync(Exception? testFailure, Func<Task> cleanup)
    {
        ArgumentNullException.ThrowIfNull(cleanup);
        try
        {
            await cleanup();
        }
        catch (Exception cleanupFailure) when (testFailure is not null)
        {
            throw new CleanupAfterFailureException(testFailure, cleanupFailure);
        }
    }
}

/// <summary>The test failed (<see cref="TestFailure"/>, the first inner exception), and so did its clean-up after it.</summary>
public sealed class CleanupAfterFailureException(Exception testFailure, Exception cleanupFailure)
    : AggregateException(
        $"The test failed: {testFailure.Message}\n(Putting back what it changed failed too: {cleanupFailure.Message})",
        testFailure, cleanupFailure)
{
    public Exception TestFailure => InnerExceptions[0];

    public Exception CleanupFailure => InnerExceptions[1];
}
