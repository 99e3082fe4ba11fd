using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.Infrastructure.Security;
using Finsoft.Api.MoneyPath.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.Features.Webhooks;

/// <summary>
/// Where a customer (for the events of the wallets it holds) or an admin (for every event) wants events sent.
/// The signing secret is shown once, when the endpoint is made or its secret rotated; it is stored encrypted.
/// </summary>
public static class WebhookEndpoints
{
    public const string AllEvents = "*";
    public const int MaxPerUser = 20;
    public static readonly TimeSpan RotationOverlap = TimeSpan.FromHours(24);

    public sealed record Request(string? Url, List<string>? Events, string? Description);

    public sealed record Response(
        Guid Id, string Url, IReadOnlyList<string> Events, string? Description, string Status, string? DisabledReason, DateTime? DisabledAt,
        DateTime CreatedAt,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Secret = null,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTime? PreviousSecretExpiresAt = null)
    {
        public static Response From(WebhookEndpointRow e, string? secret = null) => new(e.Id, e.Url, EventsOf(e), e.Description,
            e.DisabledAt is null ? "enabled" : "disabled", e.DisabledReason, e.DisabledAt, e.CreatedAt, secret, e.PreviousSecretUntil);
    }

    public static IReadOnlyList<string> EventsOf(WebhookEndpointRow e) => JsonSerializer.Deserialize<List<string>>(e.Events) ?? [];

    public static async Task<JsonBody> Create(Request request, ClaimsPrincipal principal, FinsoftDb db, SensitiveData sensitive,
        IOptions<FinsoftOptions> options, TimeProvider time, CancellationToken ct)
    {
        var user = CurrentUser.From(principal);
        var validation = new Validation().Optional("description", request.Description);
        if (await TargetGuard.RefusalAsync(request.Url, options.Value.Webhooks.AllowPrivateTargets, ct) is { } refusal)
        {
            validation.Add("url", refusal);
        }
        if (request.Events is not { Count: > 0 and <= 50 } events || events.Any(e => e != AllEvents && !EventTypes.All.Contains(e)))
        {
            validation.Add("events", $"events must list 1 to 50 of: {AllEvents} (every event), {string.Join(", ", EventTypes.All.Order(StringComparer.Ordinal))}.");
        }
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        if (await db.WebhookEndpoints.CountAsync(e => e.UserId == user.Id && e.DeletedAt == null, ct) >= MaxPerUser)
        {
            return ApiResults.Conflict($"A user may have at most {MaxPerUser} webhook endpoints; delete one first.");
        }
        var now = time.UtcNow();
        var secret = WebhookSigner.NewSecret();
        var endpoint = new WebhookEndpointRow
        {
            Id = Guid.CreateVersion7(), UserId = user.Id, Url = request.Url!, Description = request.Description,
            Events = JsonSerializer.Serialize(request.Events!.Distinct(StringComparer.Ordinal)), Secret = sensitive.Protect(secret),
            FromPosition = await EventHead.ReadAsync(db, ct), CreatedAt = now, UpdatedAt = now,
        };
        db.WebhookEndpoints.Add(endpoint);
        await db.SaveChangesAsync(ct);
        return ApiResults.Created(Response.From(endpoint, secret));
    }

    public static async Task<JsonBody> List(ClaimsPrincipal principal, FinsoftDb db, CancellationToken ct)
    {
        var rows = await VisibleTo(db, CurrentUser.From(principal)).OrderBy(e => e.CreatedAt).ToListAsync(ct);
        return ApiResults.Ok(rows.Select(e => Response.From(e)).ToList());
    }

    public static async Task<JsonBody> Get(Guid id, ClaimsPrincipal principal, FinsoftDb db, CancellationToken ct) =>
        await VisibleTo(db, CurrentUser.From(principal)).FirstOrDefaultAsync(e => e.Id == id, ct) is { } endpoint
            ? ApiResults.Ok(Response.From(endpoint))
            : NotFound;

    /// <summary>Soft: its deliveries stay listed for the record; nothing more is sent.</summary>
    public static async Task<IResult> Delete(Guid id, ClaimsPrincipal principal, FinsoftDb db, TimeProvider time, CancellationToken ct)
    {
        var now = time.UtcNow();
        var deleted = await VisibleTo(db, CurrentUser.From(principal)).Where(e => e.Id == id)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.DeletedAt, now).SetProperty(e => e.UpdatedAt, now), ct);
        return deleted == 1 ? TypedResults.NoContent() : NotFound;
    }

    /// <summary>A new secret, shown once; the old one keeps signing (a second signature) for 24 hours, so receivers can switch without losing a delivery.</summary>
    public static async Task<JsonBody> RotateSecret(Guid id, ClaimsPrincipal principal, FinsoftDb db, SensitiveData sensitive, TimeProvider time,
        CancellationToken ct)
    {
        var endpoint = await VisibleTo(db, CurrentUser.From(principal)).AsTracking().FirstOrDefaultAsync(e => e.Id == id, ct);
        if (endpoint is null)
        {
            return NotFound;
        }
        var now = time.UtcNow();
        var secret = WebhookSigner.NewSecret();
        (endpoint.PreviousSecret, endpoint.PreviousSecretUntil) = (endpoint.Secret, now + RotationOverlap);
        (endpoint.Secret, endpoint.UpdatedAt) = (sensitive.Protect(secret), now);
        await db.SaveChangesAsync(ct);
        return ApiResults.Ok(Response.From(endpoint, secret));
    }

    /// <summary>Turns a disabled endpoint back on; what is still pending is sent again from the oldest.</summary>
    public static async Task<JsonBody> Enable(Guid id, ClaimsPrincipal principal, FinsoftDb db, TimeProvider time, CancellationToken ct)
    {
        var endpoint = await VisibleTo(db, CurrentUser.From(principal)).AsTracking().FirstOrDefaultAsync(e => e.Id == id, ct);
        if (endpoint is null)
        {
            return NotFound;
        }
        (endpoint.DisabledAt, endpoint.DisabledReason, endpoint.FailingSince, endpoint.UpdatedAt) = (null, null, null, time.UtcNow());
        await db.SaveChangesAsync(ct);
        return ApiResults.Ok(Response.From(endpoint));
    }

    /// <summary>A user's own endpoints; an admin's view takes in everyone's.</summary>
    public static IQueryable<WebhookEndpointRow> VisibleTo(FinsoftDb db, CurrentUser user) =>
        db.WebhookEndpoints.AsNoTracking().Where(e => e.DeletedAt == null && (user.IsAdmin || e.UserId == user.Id));

    public static JsonBody NotFound => ApiResults.NotFound("Webhook endpoint not found");
}
