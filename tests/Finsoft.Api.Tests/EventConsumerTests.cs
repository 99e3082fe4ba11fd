using System.Net;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Outbox;
using Finsoft.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Finsoft.Api.Tests;

/// <summary>In-process consumers of the outbox: their own stored cursor, at least once, one node at a time.</summary>
public abstract class EventConsumerTests(DatabaseKind kind)
{
    private sealed class Recorder(string name, bool idle = false) : IEventConsumer
    {
        public string Name => name;

        public Task<bool> IsIdleAsync(CancellationToken ct) => Task.FromResult(idle);

        public List<long> Seen { get; } = [];

        public int FailuresLeft { get; set; }

        public Task HandleAsync(IReadOnlyList<EventRow> events, CancellationToken ct)
        {
            Seen.AddRange(events.Select(e => e.Position));
            if (FailuresLeft > 0)
            {
                FailuresLeft--;
                throw new InvalidOperationException("the consumer's downstream is down");
            }
            return Task.CompletedTask;
        }
    }

    [DbFact]
    public async Task A_consumer_reads_every_event_in_order_again_after_a_failure_and_one_node_at_a_time()
    {
        var w = await TwoCustomers.StartAsync(kind, "100.00");
        await using var app = w.App;
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await w.Api.TransferAsync(w.Alice.Token, w.AliceAccount, w.BobAccount, "1.00")).StatusCode);
        }
        var all = await app.WithDbAsync(db => db.Events.OrderBy(e => e.Position).Select(e => e.Position).ToListAsync());
        Assert.Equal(8, all.Count); // the opening deposit and three transfers, created and completed each

        // Named apart from the app's own consumers ("webhooks"), whose cursors its dispatcher moves meanwhile.
        var dispatcher = app.Services.GetRequiredService<EventDispatcher>();
        var recorder = new Recorder("test-recorder") { FailuresLeft = 1 };
        await Assert.ThrowsAsync<InvalidOperationException>(() => dispatcher.PumpAsync(recorder, CancellationToken.None));
        Assert.Equal(all.Count, await dispatcher.PumpAsync(recorder, CancellationToken.None)); // the same page again: at least once
        Assert.Equal(all.Concat(all), recorder.Seen);
        Assert.Equal(0, await dispatcher.PumpAsync(recorder, CancellationToken.None));
        Assert.Equal(all[^1], await app.WithDbAsync(db => db.EventConsumers.Where(c => c.Name == "test-recorder").Select(c => c.Position).SingleAsync()));

        // Each consumer has its own cursor: a new one starts from the beginning.
        var monitoring = new Recorder("test-monitoring");
        await dispatcher.PumpAsync(monitoring, CancellationToken.None);
        Assert.Equal(all, monitoring.Seen);

        // A second node waits while the first holds the lease, then carries on from the stored cursor.
        await using var sibling = app.Sibling();
        Assert.Equal(HttpStatusCode.Created, (await w.Api.TransferAsync(w.Alice.Token, w.AliceAccount, w.BobAccount, "1.00")).StatusCode);
        var elsewhere = new Recorder("test-recorder");
        var siblingDispatcher = sibling.Services.GetRequiredService<EventDispatcher>();
        Assert.Equal(0, await siblingDispatcher.PumpAsync(elsewhere, CancellationToken.None));
        await app.WithDbAsync(db => db.EventConsumers.Where(c => c.Name == "test-recorder")
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.LeaseUntil, DateTime.UtcNow.AddMinutes(-1))));
        Assert.Equal(2, await siblingDispatcher.PumpAsync(elsewhere, CancellationToken.None));
        Assert.Equal([all[^1] + 1, all[^1] + 2], elsewhere.Seen);
        Assert.Equal(0, await dispatcher.PumpAsync(recorder, CancellationToken.None)); // the first node lost the lease
    }

    [DbFact]
    public async Task An_idle_consumer_skips_to_the_head_without_reading_and_reads_what_comes_after()
    {
        var w = await TwoCustomers.StartAsync(kind, "100.00");
        await using var app = w.App;
        var dispatcher = app.Services.GetRequiredService<EventDispatcher>();
        var head = await app.WithDbAsync(db => db.Events.MaxAsync(e => e.Position));
        var idle = new Recorder("test-idle", idle: true);
        Assert.Equal(0, await dispatcher.PumpAsync(idle, CancellationToken.None));
        Assert.Empty(idle.Seen);
        Assert.Equal(head, await app.WithDbAsync(db => db.EventConsumers.Where(c => c.Name == "test-idle").Select(c => c.Position).SingleAsync()));

        Assert.Equal(HttpStatusCode.Created, (await w.Api.TransferAsync(w.Alice.Token, w.AliceAccount, w.BobAccount, "1.00")).StatusCode);
        var busy = new Recorder("test-idle");
        Assert.Equal(2, await dispatcher.PumpAsync(busy, CancellationToken.None));
        Assert.Equal([head + 1, head + 2], busy.Seen);
    }
}

public sealed class EventConsumerTestsOnSqlite() : EventConsumerTests(DatabaseKind.Sqlite);

public sealed class EventConsumerTestsOnPostgres() : EventConsumerTests(DatabaseKind.Postgres), IPostgresTests;
