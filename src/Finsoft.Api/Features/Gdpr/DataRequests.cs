using System.Security.Claims;
using Finsoft.Api.Infrastructure.Audit;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Features.Aml;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Ledger;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Gdpr;

/// <summary>
/// Data-subject requests. A person files its own (an admin may file one for anyone); each is due a month after it is received.
/// Access and portability are answered by <see cref="DataRequestProcessor"/>; erasure and rectification wait for an admin,
/// who carries them out or rejects them with a reason. Only the person and admins see a request.
/// </summary>
public static class DataRequests
{
    public sealed record CreateRequest(string? Type, string? Details, Guid? UserId);

    public sealed record RejectRequest(string? Reason);

    public static async Task<JsonBody> Create(CreateRequest request, ClaimsPrincipal principal, FinsoftDb db, AuditTrail audit, TimeProvider time,
        CancellationToken ct)
    {
        var caller = CurrentUser.From(principal);
        var validation = new Validation().Optional("details", request.Details, 2000);
        if (request.Type is null || !DataRequestType.All.Contains(request.Type))
        {
            validation.Add("type", $"type must be one of: {string.Join(", ", DataRequestType.All)}.");
        }
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        if (request.UserId is { } other && other != caller.Id && !caller.IsAdmin)
        {
            return ApiResults.Problem(StatusCodes.Status403Forbidden, "Only an admin files a request for another person; leave user_id out for your own.");
        }
        var subject = request.UserId ?? caller.Id;
        if (!await db.Users.AnyAsync(u => u.Id == subject && u.DeletedAt == null && u.ErasedAt == null, ct))
        {
            return ApiResults.NotFound("User not found");
        }
        var now = time.UtcNow();
        var row = new DataRequestRow
        {
            Id = Guid.CreateVersion7(), UserId = subject, RequestedBy = caller.Id, Type = request.Type!, Details = request.Details?.Trim(),
            Status = DataRequestStatus.Received, DueAt = now.AddMonths(1), CreatedAt = now, UpdatedAt = now,
        };
        db.DataRequests.Add(row);
        audit.Add(db, AuditEvents.DataRequestReceived, caller.Id, subject, new { request_id = row.Id, type = row.Type });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (DatabaseSetup.IsUniqueViolation(e))
        {
            var open = await db.DataRequests.AsNoTracking().Where(r => r.UserId == subject && r.Type == request.Type
                && (r.Status == DataRequestStatus.Received || r.Status == DataRequestStatus.Processing)).Select(r => r.Id).FirstOrDefaultAsync(ct);
            return ApiResults.Conflict($"An {request.Type} request of this person is open already ({open}).");
        }
        return ApiResults.Accepted(DataRequestDto.From(row));
    }

    public static async Task<JsonBody> Get(Guid id, ClaimsPrincipal principal, FinsoftDb db, CancellationToken ct) =>
        await VisibleTo(db, CurrentUser.From(principal)).FirstOrDefaultAsync(r => r.Id == id, ct) is { } row
            ? ApiResults.Ok(DataRequestDto.From(row))
            : NotFound;

    /// <summary>Newest first: one's own; an admin's, everyone's (narrowed by `user_id`, `status`, `type`).</summary>
    public static async Task<JsonBody> List([FromQuery(Name = "user_id")] Guid? userId, string? status, string? type, int? limit, string? cursor,
        HttpRequest http, ClaimsPrincipal principal, FinsoftDb db, CancellationToken ct)
    {
        if (!PageRequest.TryParse(limit, cursor, out var page, out var problem))
        {
            return problem!;
        }
        var validation = new Validation();
        if (status is not null && !DataRequestStatus.All.Contains(status))
        {
            validation.Add("status", $"status must be one of: {string.Join(", ", DataRequestStatus.All)}.");
        }
        if (type is not null && !DataRequestType.All.Contains(type))
        {
            validation.Add("type", $"type must be one of: {string.Join(", ", DataRequestType.All)}.");
        }
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        var query = VisibleTo(db, CurrentUser.From(principal));
        if (userId is { } subject)
        {
            query = query.Where(r => r.UserId == subject);
        }
        if (status is not null)
        {
            query = query.Where(r => r.Status == status);
        }
        if (type is not null)
        {
            query = query.Where(r => r.Type == type);
        }
        return await PageResponse.ReadAsync(query, page, newestFirst: true, http, DataRequestDto.From, ct);
    }

    /// <summary>
    /// An admin carries out an erasure (<see cref="Erasure"/>), or marks a rectification done (the corrections go through the
    /// profile endpoints).
    /// </summary>
    public static async Task<JsonBody> Process(Guid id, ClaimsPrincipal principal, FinsoftDb db, UnitOfWork work, Erasure erasure, AuditTrail audit,
        TimeProvider time, CancellationToken ct)
    {
        var row = await db.DataRequests.WithoutExport().FirstOrDefaultAsync(r => r.Id == id, ct);
        if (row is null)
        {
            return NotFound;
        }
        if (DataRequestType.IsExport(row.Type))
        {
            return ApiResults.Conflict($"An {row.Type} request is answered by the service on its own.");
        }
        var admin = CurrentUser.From(principal);
        if (row.Type == DataRequestType.Erasure)
        {
            return await EraseAsync(row, admin.Id, db, work, erasure, audit, time, ct);
        }
        var now = time.UtcNow();
        var done = await db.DataRequests.Where(r => r.Id == id && (r.Status == DataRequestStatus.Received || r.Status == DataRequestStatus.Processing))
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, DataRequestStatus.Completed).SetProperty(r => r.DecidedBy, admin.Id)
                .SetProperty(r => r.CompletedAt, now).SetProperty(r => r.UpdatedAt, now), ct);
        if (done == 0)
        {
            return ApiResults.Conflict($"The request is {row.Status} already.");
        }
        await audit.RecordAsync(db, AuditEvents.DataRequestCompleted, admin.Id, row.UserId, new { request_id = id, type = row.Type });
        return ApiResults.Ok(DataRequestDto.From(await db.DataRequests.WithoutExport().FirstAsync(r => r.Id == id, ct)));
    }

    /// <summary>
    /// One transaction: the request moves to completed (only from received or processing), the person is erased, and the
    /// request names the legal holds. Refused with nothing changed while money, a loan or a movement in flight stands in the way.
    /// </summary>
    private static async Task<JsonBody> EraseAsync(DataRequestRow row, Guid adminId, FinsoftDb db, UnitOfWork work, Erasure erasure, AuditTrail audit,
        TimeProvider time, CancellationToken ct)
    {
        var moneyArrived = new LedgerError(LedgerErrorCode.AccountNotEmpty, "Money reached one of the person's accounts during the erasure; nothing was erased.");
        IReadOnlyList<Erasure.LegalHold> kept = [];
        var outcome = await work.RunAsync<JsonBody>(async ct =>
        {
            await ComplianceHolds.LockAsync(db, Screenings.User, row.UserId, ct);
            var user = await db.Users.SingleAsync(u => u.Id == row.UserId, ct);
            if (await Erasure.RefusalAsync(db, user, ct) is { } refusal)
            {
                return refusal;
            }
            var now = time.UtcNow();
            if (await db.DataRequests.Where(r => r.Id == row.Id && (r.Status == DataRequestStatus.Received || r.Status == DataRequestStatus.Processing))
                    .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, DataRequestStatus.Completed).SetProperty(r => r.DecidedBy, adminId)
                        .SetProperty(r => r.CompletedAt, now).SetProperty(r => r.UpdatedAt, now), ct) == 0)
            {
                return ApiResults.Conflict("The request is decided already.");
            }
            if (await erasure.EraseAsync(db, user, adminId, row.Id, ct) is not { } holds)
            {
                return moneyArrived; // rolls back
            }
            kept = holds;
            await db.DataRequests.Where(r => r.Id == row.Id).ExecuteUpdateAsync(s => s.SetProperty(r => r.LegalHolds, Erasure.Describe(holds)), ct);
            audit.Add(db, AuditEvents.DataRequestCompleted, adminId, row.UserId, new { request_id = row.Id, type = row.Type, legal_holds = holds.Select(h => h.Name) });
            await db.SaveChangesAsync(ct);
            return ApiResults.Ok(new { }); // done: the request is read back once committed
        }, ct);
        if (!outcome.IsSuccess)
        {
            return ApiResults.Problem(StatusCodes.Status409Conflict, outcome.Error!.Message, errorCode: "erasure_blocked");
        }
        if (outcome.Value.StatusCode != StatusCodes.Status200OK)
        {
            return outcome.Value;
        }
        erasure.Announce(row.UserId, row.Id, kept);
        if (kept.Count == 0)
        {
            await erasure.CompactAsync(db, ct);
        }
        return ApiResults.Ok(DataRequestDto.From(await db.DataRequests.WithoutExport().FirstAsync(r => r.Id == row.Id, ct)));
    }

    public static async Task<JsonBody> Reject(Guid id, RejectRequest request, ClaimsPrincipal principal, FinsoftDb db, AuditTrail audit, TimeProvider time,
        CancellationToken ct)
    {
        var validation = new Validation().Required("reason", request.Reason, 1000);
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        var row = await db.DataRequests.WithoutExport().FirstOrDefaultAsync(r => r.Id == id, ct);
        if (row is null)
        {
            return NotFound;
        }
        var admin = CurrentUser.From(principal);
        var now = time.UtcNow();
        var reason = request.Reason!.Trim();
        var rejected = await db.DataRequests.Where(r => r.Id == id && (r.Status == DataRequestStatus.Received || r.Status == DataRequestStatus.Processing))
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, DataRequestStatus.Rejected).SetProperty(r => r.Reason, reason)
                .SetProperty(r => r.DecidedBy, admin.Id).SetProperty(r => r.LeaseUntil, (DateTime?)null).SetProperty(r => r.UpdatedAt, now), ct);
        if (rejected == 0)
        {
            return ApiResults.Conflict($"The request is {row.Status} already.");
        }
        await audit.RecordAsync(db, AuditEvents.DataRequestRejected, admin.Id, row.UserId, new { request_id = id, type = row.Type });
        return ApiResults.Ok(DataRequestDto.From(await db.DataRequests.WithoutExport().FirstAsync(r => r.Id == id, ct)));
    }

    /// <summary>The export, to the person it is about only, while it lasts (410 after).</summary>
    public static async Task<IResult> Download(Guid id, ClaimsPrincipal principal, FinsoftDb db, DataExport exports, AuditTrail audit, TimeProvider time,
        CancellationToken ct)
    {
        var user = CurrentUser.From(principal);
        var row = await db.DataRequests.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id && r.UserId == user.Id, ct);
        if (row is null || !DataRequestType.IsExport(row.Type))
        {
            return NotFound;
        }
        if (row.Status != DataRequestStatus.Completed)
        {
            return ApiResults.Conflict($"The request is {row.Status}; its export is not ready.");
        }
        if (row.Export is not { } sealedExport || row.ExportExpiresAt <= time.UtcNow())
        {
            return ApiResults.Problem(StatusCodes.Status410Gone, "The export has expired; file a new request for a fresh one.");
        }
        await audit.RecordAsync(db, AuditEvents.DataExportDownloaded, user.Id, user.Id, new { request_id = id });
        return TypedResults.File(exports.Open(sealedExport), "application/zip", $"finsoft-{row.Type}-{row.Id}.zip");
    }

    /// <summary>Requests as they are listed and shown: without the export itself, which only a download reads.</summary>
    public static IQueryable<DataRequestRow> WithoutExport(this IQueryable<DataRequestRow> requests) => requests.AsNoTracking().Select(r => new DataRequestRow
    {
        Id = r.Id, UserId = r.UserId, RequestedBy = r.RequestedBy, Type = r.Type, Details = r.Details, Status = r.Status, Reason = r.Reason,
        DecidedBy = r.DecidedBy, DueAt = r.DueAt, LeaseUntil = r.LeaseUntil, ExportBytes = r.ExportBytes, ExportExpiresAt = r.ExportExpiresAt,
        CreatedAt = r.CreatedAt, UpdatedAt = r.UpdatedAt, CompletedAt = r.CompletedAt, LegalHolds = r.LegalHolds,
    });

    private static IQueryable<DataRequestRow> VisibleTo(FinsoftDb db, CurrentUser user) =>
        db.DataRequests.Where(r => user.IsAdmin || r.UserId == user.Id).WithoutExport();

    private static JsonBody NotFound => ApiResults.NotFound("Data request not found");
}
