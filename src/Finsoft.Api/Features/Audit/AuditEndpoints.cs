using System.Text.Json;
using Finsoft.Api.Infrastructure.Audit;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.AspNetCore.Mvc;
using Finsoft.Api.Infrastructure.ReadReplica;

namespace Finsoft.Api.Features.Audit;

/// <summary>The audit trail, read-only: there is no route that edits or deletes an event (and the database refuses it).</summary>
public static class AuditEndpoints
{
    public sealed record AuditEventDto(Guid Id, DateTime CreatedAt, string Event, Guid? ActorId, Guid? SubjectId, string? ClientAddress,
        string? RequestId, JsonElement? Details)
    {
        public static AuditEventDto From(AuditEventRow row) => new(row.Id, row.CreatedAt, row.Event, row.ActorId, row.SubjectId, row.ClientAddress,
            row.RequestId, row.Details is null ? null : JsonDocument.Parse(row.Details).RootElement.Clone());
    }

    public static IEndpointRouteBuilder MapAudit(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/admin/audit", List).ReadsFromReplica().WithTags("User administration").RequireAuthorization(Policies.Admin)
            .Produces<List<AuditEventDto>>().ProducesError(400, 401, 403, 422);
        return app;
    }

    /// <summary>Newest first; filter by event, actor, subject (either side: `user_id`) and time.</summary>
    public static async Task<JsonBody> List(string? @event, [FromQuery(Name = "actor_id")] Guid? actorId, [FromQuery(Name = "subject_id")] Guid? subjectId,
        [FromQuery(Name = "user_id")] Guid? userId, DateTime? from, DateTime? to,
        int? limit, string? cursor, HttpRequest http, FinsoftDb db, CancellationToken ct)
    {
        var validation = new Validation();
        if (@event is not null && !AuditEvents.All.Contains(@event))
        {
            validation.Add("event", $"event must be one of {string.Join(", ", AuditEvents.All.Order(StringComparer.Ordinal))}.");
        }
        if (from > to)
        {
            validation.Add("from", "from must not be after to.");
        }
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        if (!PageRequest.TryParse(limit, cursor, out var page, out var problem))
        {
            return problem!;
        }
        var query = db.AuditEvents.AsQueryable();
        if (@event is not null)
        {
            query = query.Where(e => e.Event == @event);
        }
        if (actorId is { } actor)
        {
            query = query.Where(e => e.ActorId == actor);
        }
        if (subjectId is { } subject)
        {
            query = query.Where(e => e.SubjectId == subject);
        }
        if (userId is { } user)
        {
            query = query.Where(e => e.ActorId == user || e.SubjectId == user);
        }
        if (from is { } f)
        {
            var fromUtc = f.ToUniversalTime();
            query = query.Where(e => e.CreatedAt >= fromUtc);
        }
        if (to is { } t)
        {
            var toUtc = t.ToUniversalTime();
            query = query.Where(e => e.CreatedAt <= toUtc);
        }
        return await PageResponse.ReadAsync(query, page, newestFirst: true, http, AuditEventDto.From, ct);
    }
}
