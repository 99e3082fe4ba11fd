using System.Security.Claims;
using System.Text.Json;
using Finsoft.Api.Infrastructure.Audit;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Engine;
using Finsoft.Api.MoneyPath.Payments;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Aml;

/// <summary>
/// The review queue: every watch-list match and every transaction held for review, and an analyst's decision on
/// each. A match is dismissed by one analyst, confirmed by two (the second not the first); a held transaction is
/// approved or rejected through the money engine, under the transaction's lock. Every decision is audited.
/// </summary>
public static class Reviews
{
    public const string Approve = "approve";
    public const string Reject = "reject";
    public const string Confirm = "confirm";
    public const string Dismiss = "dismiss";

    public sealed record DecisionRequest(string? Decision, string? Note);

    public sealed record ReviewDto(Guid Id, string Kind, string Status, Guid? UserId, string Reason, Guid? ScreeningId, string? EntityType, Guid? EntityId,
        string? Source, string? EntryId, string? MatchedName, double? Score, Guid? TransactionId, Guid? FirstDecidedBy, DateTime? FirstDecidedAt,
        string? FirstNote, Guid? DecidedBy, DateTime? DecidedAt, string? Note, DateTime CreatedAt)
    {
        public static ReviewDto From(ReviewRow r) => new(r.Id, r.Kind, r.Status, r.UserId, r.Reason, r.ScreeningId, r.EntityType, r.EntityId, r.Source,
            r.EntryId, r.MatchedName, r.Score, r.TransactionId, r.FirstDecidedBy, r.FirstDecidedAt, r.FirstNote, r.DecidedBy, r.DecidedAt, r.Note, r.CreatedAt);
    }


    private static readonly string PaymentType = TransactionLifecycle.Wire(TransactionType.Payment);

    private static readonly LedgerError AlreadyDecided = new(LedgerErrorCode.IllegalTransition, "The review has already been decided");
    private static readonly LedgerError FourEyes =
        new(LedgerErrorCode.IllegalTransition, "A confirmed match needs a second analyst; you confirmed it first");

    public static async Task<JsonBody> List(string? status, string? kind, int? limit, string? cursor, HttpRequest http, FinsoftDb db, CancellationToken ct)
    {
        var validation = new Validation();
        if (status is not null && !ReviewStatus.All.Contains(status))
        {
            validation.Add("status", $"status must be one of {string.Join(", ", ReviewStatus.All)}.");
        }
        if (kind is not (null or ReviewKind.ScreeningMatch or ReviewKind.Transaction))
        {
            validation.Add("kind", $"kind must be {ReviewKind.ScreeningMatch} or {ReviewKind.Transaction}.");
        }
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        if (!PageRequest.TryParse(limit, cursor, out var page, out var problem))
        {
            return problem!;
        }
        var query = db.Reviews.AsQueryable();
        if (status is not null)
        {
            query = query.Where(r => r.Status == status);
        }
        if (kind is not null)
        {
            query = query.Where(r => r.Kind == kind);
        }
        return await PageResponse.ReadAsync(query, page, newestFirst: false, http, ReviewDto.From, ct);
    }

    public static async Task<JsonBody> Get(Guid id, FinsoftDb db, CancellationToken ct) =>
        await db.Reviews.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, ct) is { } review
            ? ApiResults.Ok(ReviewDto.From(review))
            : ApiResults.NotFound("Review not found");

    public static async Task<JsonBody> Decide(Guid id, DecisionRequest request, ClaimsPrincipal principal, FinsoftDb db, UnitOfWork work, MoneyEngine engine,
        Risk.CustomerRisk risk, AuditTrail audit, TimeProvider time, CancellationToken ct)
    {
        var review = await db.Reviews.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, ct);
        if (review is null)
        {
            return ApiResults.NotFound("Review not found");
        }
        var allowed = review.Kind == ReviewKind.Transaction ? new[] { Approve, Reject } : [Confirm, Dismiss];
        var validation = new Validation().Required("note", request.Note, maxLength: 2000);
        if (!allowed.Contains(request.Decision))
        {
            validation.Add("decision", $"decision must be {allowed[0]} or {allowed[1]} for a {review.Kind.Replace('_', ' ')} review.");
        }
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        var analyst = CurrentUser.From(principal);
        if (review.UserId == analyst.Id || review.EntityId == analyst.Id)
        {
            return ApiResults.Problem(StatusCodes.Status403Forbidden, "A review about yourself or your own money is for another analyst to decide");
        }
        var note = request.Note!.Trim();
        if (review.Kind == ReviewKind.Transaction)
        {
            return await DecideTransactionAsync(review, request.Decision == Approve, note, analyst, engine, audit, time);
        }
        var decided = await work.RunAsync<JsonBody>(ct => DecideMatchAsync(db, review, request.Decision == Confirm, note, analyst.Id, audit, time, ct), ct,
            alsoRetry: DatabaseSetup.IsUniqueViolation);
        if (decided.IsSuccess && review.UserId is { } user)
        {
            await risk.RecomputeAsync(user, ct); // the match weighs in the customer's risk, which sets their limits
        }
        return decided.ToResponse();
    }

    private static async Task<Result<JsonBody>> DecideMatchAsync(FinsoftDb db, ReviewRow read, bool confirm, string note, Guid analyst, AuditTrail audit,
        TimeProvider time, CancellationToken ct)
    {
        await ComplianceHolds.LockAsync(db, read.EntityType, read.EntityId, ct);
        var review = await db.Reviews.SingleAsync(r => r.Id == read.Id, ct);
        var now = time.UtcNow();
        if (!ReviewStatus.Undecided.Contains(review.Status))
        {
            return AlreadyDecided;
        }
        if (!confirm)
        {
            (review.Status, review.DecidedBy, review.DecidedAt, review.Note) = (ReviewStatus.Dismissed, analyst, now, note);
        }
        else if (review.Status == ReviewStatus.Open)
        {
            (review.Status, review.FirstDecidedBy, review.FirstDecidedAt, review.FirstNote) = (ReviewStatus.AwaitingSecond, analyst, now, note);
        }
        else if (review.FirstDecidedBy == analyst)
        {
            return FourEyes;
        }
        else
        {
            (review.Status, review.DecidedBy, review.DecidedAt, review.Note) = (ReviewStatus.Confirmed, analyst, now, note);
        }
        audit.Add(db, AuditEvents.ReviewDecided, analyst, review.UserId,
            new { review_id = review.Id, kind = review.Kind, decision = confirm ? Confirm : Dismiss, status = review.Status, note });
        await db.SaveChangesAsync(ct);
        await RestatusScreeningsAsync(db, review, ct);
        await ComplianceHolds.SetAsync(db, review.EntityType!, review.EntityId, await ComplianceHolds.HasHoldingReviewAsync(db, review.EntityId, ct), ct);
        return ApiResults.Ok(ReviewDto.From(review));
    }

    /// <summary>The screenings that found this match take their status from their matches' reviews as they now stand.</summary>
    private static async Task RestatusScreeningsAsync(FinsoftDb db, ReviewRow review, CancellationToken ct)
    {
        var screenings = review.EntityId is { } entity
            ? await db.Screenings.Where(s => s.EntityId == entity && s.Status != ScreeningStatus.Clear).ToListAsync(ct)
            : await db.Screenings.Where(s => s.Id == review.ScreeningId).ToListAsync(ct);
        var linked = screenings.Select(s => (Screening: s, Reviews: (JsonSerializer.Deserialize<List<Screenings.MatchDto>>(s.Matches, Json.Options) ?? [])
            .Select(m => m.ReviewId).OfType<Guid>().ToList())).Where(s => s.Reviews.Contains(review.Id)).ToList();
        var ids = linked.SelectMany(s => s.Reviews).Distinct().ToList();
        var statuses = await db.Reviews.AsNoTracking().Where(r => ids.Contains(r.Id)).ToDictionaryAsync(r => r.Id, r => r.Status, ct);
        foreach (var (screening, reviews) in linked)
        {
            screening.Status = Screener.ScreeningStatusOf(reviews.Select(r => statuses[r]).ToList());
        }
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Approves or rejects a held transaction in the engine; the review row changes in the same database transaction.</summary>
    private static async Task<JsonBody> DecideTransactionAsync(ReviewRow review, bool approve, string note, CurrentUser analyst, MoneyEngine engine,
        AuditTrail audit, TimeProvider time)
    {
        var status = approve ? ReviewStatus.Approved : ReviewStatus.Rejected;
        var now = time.UtcNow();
        var decided = new ReviewRow
        {
            Id = review.Id, Kind = review.Kind, Status = status, UserId = review.UserId, Reason = review.Reason, TransactionId = review.TransactionId,
            DecidedBy = analyst.Id, DecidedAt = now, Note = note, CreatedAt = review.CreatedAt,
        };
        MoneyCommand command = approve
            ? new MoneyCommand.ApproveReview(review.TransactionId!.Value)
            : new MoneyCommand.RejectReview(review.TransactionId!.Value, "Rejected in compliance review");
        return await engine.SubmitAsync(new MoneyOrder(command, outcome => outcome switch
        {
            MoneyOutcome.Made => ApiResults.Ok(ReviewDto.From(decided)),
            MoneyOutcome.Refused { Error: var e } when e == MoneyRules.NotUnderReview => AlreadyDecided.ToProblem(),
            MoneyOutcome.Refused refused => refused.Error.ToProblem(),
            _ => throw new InvalidOperationException(),
        })
        {
            Initiator = analyst,
            Then = async (db, transaction, ct) =>
            {
                var updated = await db.Reviews.Where(r => r.Id == review.Id && r.Status == ReviewStatus.Open).ExecuteUpdateAsync(s => s
                    .SetProperty(r => r.Status, status).SetProperty(r => r.DecidedBy, analyst.Id).SetProperty(r => r.DecidedAt, now)
                    .SetProperty(r => r.Note, note), ct);
                if (updated != 1)
                {
                    throw new InvalidOperationException($"Review {review.Id} was decided while its transaction was locked open.");
                }
                audit.Add(db, AuditEvents.ReviewDecided, analyst.Id, review.UserId,
                    new { review_id = review.Id, kind = review.Kind, transaction_id = review.TransactionId, decision = approve ? Approve : Reject, status, note });
                await db.SaveChangesAsync(ct);
                // A rejected pay-in's own row fails with it, and says so to whoever watches payments.
                return !approve && transaction.Type == PaymentType
                    ? await PaymentBook.Failed(transaction.FailureReason ?? "Rejected in compliance review")(db, transaction, ct)
                    : [];
            },
        }, CancellationToken.None);
    }
}
