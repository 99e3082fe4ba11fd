using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.MoneyPath.Outbox;

/// <summary>
/// An in-process reader of the outbox (webhook delivery, monitoring). It is handed every event at least
/// once, in position order, from its own stored cursor; a handler that throws sees the same events again,
/// so it must be safe to repeat.
/// </summary>
public interface IEventConsumer
{
    /// <summary>The name its cursor is stored under; changing it starts the consumer from the beginning.</summary>
    string Name { get; }

    Task HandleAsync(IReadOnlyList<EventRow> events, CancellationToken ct);

    /// <summary>
    /// True when nothing that has happened so far can concern it (the webhooks consumer with no endpoint): the
    /// dispatcher then moves its cursor to the head, read before asking, without reading the events.
    /// </summary>
    Task<bool> IsIdleAsync(CancellationToken ct) => Task.FromResult(false);

    /// <summary>False when the consumer needs only which accounts each event is about: the dispatcher then leaves the data unread (empty).</summary>
    bool ReadsData => true;
}

/// <summary>
/// Feeds each registered consumer from the outbox. Safe on several nodes: a consumer's cursor is taken
/// with a lease (a conditional update), so one node at a time reads for it, and a node that dies lets
/// another take over once the lease runs out. The cursor moves only after the handler returns.
/// </summary>
public sealed class EventDispatcher(IServiceScopeFactory scopes, IEnumerable<IEventConsumer> consumers, TimeProvider time, ILogger<EventDispatcher> logger)
    : PollingWorker(time, logger)
{
    public const int PageSize = 200;
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    private readonly Guid _node = Guid.NewGuid();

    protected override TimeSpan Interval => TimeSpan.FromMilliseconds(200);

    protected override async Task RunOnceAsync(CancellationToken ct)
    {
        foreach (var consumer in consumers)
        {
            while (await PumpAsync(consumer, ct) == PageSize)
            {
                // a full page: there may be more waiting
            }
        }
    }

    /// <summary>Hands the consumer the next page of events, if this node holds (or can take) its lease; returns how many.</summary>
    public async Task<int> PumpAsync(IEventConsumer consumer, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FinsoftDb>();
        if (!await TakeLeaseAsync(db, consumer.Name, ct))
        {
            return 0;
        }
        var position = await db.EventConsumers.Where(c => c.Name == consumer.Name).Select(c => c.Position).SingleAsync(ct);
        var head = await EventHead.ReadAsync(db, ct);
        if (head > position && await consumer.IsIdleAsync(ct))
        {
            // Anything that starts caring after this moment starts after the head read before it asked.
            await db.EventConsumers.Where(c => c.Name == consumer.Name && c.LeaseOwner == _node && c.Position < head)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.Position, head), ct);
            return 0;
        }
        var page = db.Events.AsNoTracking().Where(e => e.Position > position).OrderBy(e => e.Position).Take(PageSize);
        var events = consumer.ReadsData
            ? await page.ToListAsync(ct)
            : await page.Select(e => new EventRow
            {
                Position = e.Position, Type = e.Type, OccurredAt = e.OccurredAt, OriginAccountId = e.OriginAccountId, DestinationAccountId = e.DestinationAccountId,
                Data = "",
            }).ToListAsync(ct);
        if (events.Count == 0)
        {
            return 0;
        }
        await consumer.HandleAsync(events, ct);
        var last = events[^1].Position;
        await db.EventConsumers.Where(c => c.Name == consumer.Name && c.LeaseOwner == _node && c.Position < last)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Position, last), ct);
        return events.Count;
    }

    private async Task<bool> TakeLeaseAsync(FinsoftDb db, string name, CancellationToken ct)
    {
        if (!await db.EventConsumers.AnyAsync(c => c.Name == name, ct))
        {
            db.EventConsumers.Add(new EventConsumerRow { Name = name, Position = 0 });
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException e) when (DatabaseSetup.IsUniqueViolation(e))
            {
                db.ChangeTracker.Clear(); // another node registered it first
            }
        }
        var now = Time.UtcNow();
        var until = now + Lease;
        return await db.EventConsumers
            .Where(c => c.Name == name && (c.LeaseOwner == _node || c.LeaseUntil == null || c.LeaseUntil < now))
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.LeaseOwner, _node).SetProperty(c => c.LeaseUntil, until), ct) == 1;
    }
}
