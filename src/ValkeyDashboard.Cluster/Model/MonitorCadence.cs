namespace ValkeyDashboard.Cluster.Model;

/// <summary>
/// How often the monitor reads the cluster now, and why: the configured interval while a poll fits in it, a longer one
/// while polls take longer (a large or slow cluster), back to the configured one as soon as a poll fits again.
/// </summary>
/// <param name="ConfiguredInterval">The interval asked for (<c>Valkey:PollInterval</c>).</param>
/// <param name="Interval">The interval in force: from the start of one poll to the start of the next.</param>
/// <param name="LastPollDuration">How long the last full poll took (wall time, every node answered or timed out).</param>
public sealed record MonitorCadence(TimeSpan ConfiguredInterval, TimeSpan Interval, TimeSpan LastPollDuration)
{
    /// <summary>A poll fits when it takes at most this share of the configured interval (the rest is idle time).</summary>
    public const double FitShare = 0.8;

    /// <summary>
    /// Once slow, a poll must take at most this share of the configured interval to bring the configured interval back:
    /// polls that take about <see cref="FitShare"/> of it would otherwise switch the cadence (and the page's note) back
    /// and forth every poll.
    /// </summary>
    public const double ReturnShare = 0.5;

    /// <summary>The monitor reads less often than configured because polls do not fit.</summary>
    public bool IsSlow => Interval > ConfiguredInterval;

    /// <summary>The cadence before the first poll: the configured interval.</summary>
    public static MonitorCadence Initial(TimeSpan configured) => new(configured, configured, TimeSpan.Zero);

    /// <summary>
    /// The cadence after a poll that took <paramref name="pollDuration"/>. Pure. A poll that fits in
    /// <see cref="FitShare"/> of the configured interval (<see cref="ReturnShare"/> while slow) keeps or brings back
    /// the configured interval; a longer one sets the interval to twice its duration, so the monitor is busy at most
    /// half the time, rounded up to a whole 100 ms so the note on the page does not change every poll, and never
    /// beyond <paramref name="longest"/>.
    /// </summary>
    public MonitorCadence After(TimeSpan pollDuration, TimeSpan longest)
    {
        var configured = ConfiguredInterval;
        if (pollDuration <= configured * (IsSlow ? ReturnShare : FitShare))
        {
            return new MonitorCadence(configured, configured, pollDuration);
        }

        var step = TimeSpan.FromMilliseconds(100).Ticks;
        var stretched = ((pollDuration * 2).Ticks + step - 1) / step * step;
        var interval = TimeSpan.FromTicks(Math.Clamp(stretched, configured.Ticks, Math.Max(configured.Ticks, longest.Ticks)));
        return new MonitorCadence(configured, interval, pollDuration);
    }

    /// <summary>How long to wait after a poll that took <see cref="LastPollDuration"/> before the next one starts.</summary>
    public TimeSpan DelayAfterPoll => Interval > LastPollDuration ? Interval - LastPollDuration : TimeSpan.Zero;
}
