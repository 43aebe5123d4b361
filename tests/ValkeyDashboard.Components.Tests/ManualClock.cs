namespace ValkeyDashboard.Components.Tests;

/// <summary>A clock the test moves by hand (hand-written, no mocking library).</summary>
internal sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
