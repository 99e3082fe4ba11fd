using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Outbox;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Webhooks;

/// <summary>
/// Reads the event outbox and queues one delivery per event for each endpoint that wants it: subscribed to its
/// type, made before it, enabled, and owned by someone who may see it (an admin every event; a customer those
/// of the wallets it holds now). Fed at least once per event; a delivery already queued is not queued again.
/// </summary>
public sealed class WebhookFanOut(IServiceScopeFactory scopes, TimeProvider time) : IEventConsumer
{
    public string Name => "webhooks";

    /// <summary>With no endpoint enabled, no event so far is anyone's: a new endpoint starts after the events of its making.</summary>
    public async Task<bool> IsIdleAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FinsoftDb>();
        return !await db.WebhookEndpoints.AnyAsync(e => e.DeletedAt == null && e.DisabledAt == null, ct);
    }

    public async Task HandleAsync(IReadOnlyList<EventRow> events, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FinsoftDb>();
        var last = events[^1].Position;
        var endpoints = await (from e in db.WebhookEndpoints.AsNoTracking()
                               join u in db.Users.AsNoTracking() on e.UserId equals u.Id
                               where e.DeletedAt == null && e.DisabledAt == null && e.FromPosition < last && u.IsActive && u.DeletedAt == null
                               select new { Endpoint = e, u.Role }).ToListAsync(ct);
        if (endpoints.Count == 0)
        {
            return;
        }
        var customers = endpoints.Where(e => e.Role != Roles.Admin).Select(e => e.Endpoint.UserId).Distinct().ToList();
        var owned = await db.Accounts.AsNoTracking().Where(a => a.Kind == AccountKind.Wallet && customers.Contains(a.UserId!.Value))
            .Select(a => new { User = a.UserId!.Value, Account = a.Id }).ToListAsync(ct);
        var granted = await db.AccountGrants.AsNoTracking().Where(g => customers.Contains(g.UserId))
            .Select(g => new { User = g.UserId, Account = g.AccountId }).ToListAsync(ct);
        var held = owned.Concat(granted).Select(h => (h.User, h.Account)).ToHashSet();
        var endpointIds = endpoints.Select(e => e.Endpoint.Id).ToList();
        var first = events[0].Position;
        var queued = (await db.WebhookDeliveries.AsNoTracking().Where(d => endpointIds.Contains(d.EndpointId) && d.EventPosition >= first && d.EventPosition <= last)
            .Select(d => new { d.EndpointId, d.EventPosition }).ToListAsync(ct)).Select(d => (d.EndpointId, d.EventPosition)).ToHashSet();
        var now = time.UtcNow();
        foreach (var (endpoint, role) in endpoints.Select(e => (e.Endpoint, e.Role)))
        {
            var wanted = WebhookEndpoints.EventsOf(endpoint);
            foreach (var e in events.Where(e => e.Position > endpoint.FromPosition && !queued.Contains((endpoint.Id, e.Position))))
            {
                var subscribed = wanted.Contains(WebhookEndpoints.AllEvents) || wanted.Contains(e.Type);
                var visible = role == Roles.Admin || new[] { e.OriginAccountId, e.DestinationAccountId }.Any(a => a is { } id && held.Contains((endpoint.UserId, id)));
                if (subscribed && visible)
                {
                    db.WebhookDeliveries.Add(new WebhookDeliveryRow
                    {
                        Id = Guid.CreateVersion7(), EndpointId = endpoint.Id, EventPosition = e.Position, EventType = e.Type,
                        Status = DeliveryStatus.Pending, NextAttemptAt = now, CreatedAt = now,
                    });
                }
            }
        }
        await db.SaveChangesAsync(ct);
    }
}
