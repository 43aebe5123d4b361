using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace ValkeyDashboard.Cluster.Concurrency;

/// <summary>
/// One source fanned out to many readers, one channel each (Aspire's pattern): a reader subscribes with
/// <see cref="SubscribeAsync"/> and gets what is published after it subscribed, optionally preceded by the
/// current value; a slow reader never holds up the source or the other readers.
/// </summary>
/// <typeparam name="T">What is published.</typeparam>
public sealed class SubscriberChannels<T>
{
    private readonly Func<Channel<T>> _createChannel;
    private readonly Lock _gate = new();
    private readonly List<Channel<T>> _channels = [];

    /// <param name="createChannel">Makes a reader's channel: bounded with DropOldest for "latest wins", unbounded for "every item".</param>
    public SubscriberChannels(Func<Channel<T>> createChannel) => _createChannel = createChannel;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _channels.Count;
            }
        }
    }

    /// <summary>
    /// Publishes <paramref name="item"/> to every reader. <paramref name="underLock"/> runs first, atomically with
    /// respect to <see cref="SubscribeAsync"/>'s <c>current</c>, so a new reader sees either the old value and then
    /// this item, or this item as its current value: never a gap, never a step back.
    /// </summary>
    public void Publish(T item, Action? underLock = null)
    {
        lock (_gate)
        {
            underLock?.Invoke();
            foreach (var channel in _channels)
            {
                channel.Writer.TryWrite(item);
            }
        }
    }

    /// <summary>Ends every reader's enumeration (the source is stopping).</summary>
    public void CompleteAll()
    {
        lock (_gate)
        {
            foreach (var channel in _channels)
            {
                channel.Writer.TryComplete();
            }

            _channels.Clear();
        }
    }

    /// <summary>
    /// Registers a reader now (not on first enumeration, as an iterator would), so nothing published after this
    /// call is missed. Dispose the subscription to leave.
    /// </summary>
    public Subscription Subscribe(Func<T>? current = null)
    {
        var channel = _createChannel();
        lock (_gate)
        {
            _channels.Add(channel);
            if (current is not null)
            {
                channel.Writer.TryWrite(current());
            }
        }

        return new Subscription(this, channel);
    }

    /// <summary>What is published from now on, preceded by <paramref name="current"/>'s value when given.</summary>
    public async IAsyncEnumerable<T> SubscribeAsync(Func<T>? current = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var subscription = Subscribe(current);
        await foreach (var item in subscription.Reader.ReadAllAsync(cancellationToken))
        {
            yield return item;
        }
    }

    private void Remove(Channel<T> channel)
    {
        lock (_gate)
        {
            _channels.Remove(channel);
        }
    }

    /// <summary>One reader's registration.</summary>
    public sealed class Subscription : IDisposable
    {
        private readonly SubscriberChannels<T> _owner;
        private readonly Channel<T> _channel;

        internal Subscription(SubscriberChannels<T> owner, Channel<T> channel)
        {
            _owner = owner;
            _channel = channel;
        }

        public ChannelReader<T> Reader => _channel.Reader;

        public void Dispose() => _owner.Remove(_channel);
    }
}
