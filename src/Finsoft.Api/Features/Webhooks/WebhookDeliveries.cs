using System.Security.Claims;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Webhooks;

/// <summary>What was sent to an endpoint, each try with what the receiver answered, and when the next try is due.</summary>
public static class WebhookDeliveries
{
    public sealed record Attempt(DateTime AttemptedAt, int? StatusCode, string? Error, int DurationMs);

    public sealed record Response(
        Guid Id, Guid EndpointId, long EventPosition, string EventType, string Status, int Attempts, int? LastStatusCode, string? LastError,
        DateTime? NextAttemptAt, DateTime CreatedAt, DateTime? DeliveredAt, IReadOnlyList<Attempt> AttemptLog);

    public static async Task<JsonBody> List(Guid id, int? limit, string? cursor, HttpRequest http, ClaimsPrincipal principal, FinsoftDb db,
        CancellationToken ct)
    {
        if (!await WebhookEndpoints.VisibleTo(db, CurrentUser.From(principal)).AnyAsync(e => e.Id == id, ct))
        {
            return WebhookEndpoints.NotFound;
        }
        if (!PageRequest.TryParse(limit, cursor, out var page, out var problem))
        {
            return problem!;
        }
        // Newest first; the attempts of the page's deliveries are read in one query after it.
        var rows = await PageResponse.ReadRowsAsync(db.WebhookDeliveries.Where(d => d.EndpointId == id), page, newestFirst: true, ct);
        var ids = rows.Select(d => d.Id).ToList();
        var attempts = (await db.WebhookAttempts.AsNoTracking().Where(a => ids.Contains(a.DeliveryId)).OrderBy(a => a.AttemptedAt).ToListAsync(ct))
            .ToLookup(a => a.DeliveryId);
        return PageResponse.Of(http, rows, page, d => ToResponse(d, attempts[d.Id]));
    }

    /// <summary>Sends a delivery again now, with a fresh schedule of retries (a failed one, or one waiting for its next try).</summary>
    public static async Task<JsonBody> Retry(Guid id, Guid deliveryId, ClaimsPrincipal principal, FinsoftDb db, TimeProvider time, CancellationToken ct)
    {
        if (!await WebhookEndpoints.VisibleTo(db, CurrentUser.From(principal)).AnyAsync(e => e.Id == id, ct))
        {
            return WebhookEndpoints.NotFound;
        }
        var now = time.UtcNow();
        var queued = await db.WebhookDeliveries.Where(d => d.Id == deliveryId && d.EndpointId == id && d.Status != DeliveryStatus.Succeeded)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, DeliveryStatus.Pending).SetProperty(d => d.NextAttemptAt, now)
                .SetProperty(d => d.Attempts, 0), ct);
        if (queued == 0)
        {
            return await db.WebhookDeliveries.AnyAsync(d => d.Id == deliveryId && d.EndpointId == id, ct)
                ? ApiResults.Conflict("The delivery already succeeded; nothing to send again.")
                : ApiResults.NotFound("Delivery not found");
        }
        var delivery = await db.WebhookDeliveries.AsNoTracking().SingleAsync(d => d.Id == deliveryId, ct);
        var attempts = await db.WebhookAttempts.AsNoTracking().Where(a => a.DeliveryId == deliveryId).OrderBy(a => a.AttemptedAt).ToListAsync(ct);
        return ApiResults.Accepted(ToResponse(delivery, attempts));
    }

    private static Response ToResponse(WebhookDeliveryRow d, IEnumerable<WebhookAttemptRow> attempts) => new(d.Id, d.EndpointId, d.EventPosition,
        d.EventType, d.Status, d.Attempts, d.LastStatusCode, d.LastError, d.NextAttemptAt, d.CreatedAt, d.DeliveredAt,
        attempts.Select(a => new Attempt(a.AttemptedAt, a.StatusCode, a.Error, a.DurationMs)).ToList());
}
