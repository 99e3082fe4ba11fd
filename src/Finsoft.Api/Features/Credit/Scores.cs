using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Audit;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Credit;
using Finsoft.Ledger;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.Features.Credit;

/// <summary>
/// Credit scores: the scorecard's automated decision on an application and the customer's history, kept with everything it
/// read, and the human review of it that GDPR Art. 22 gives the customer the right to ask for.
/// </summary>
public static class Scores
{
    public sealed record ApplicationRequest(
        [property: JsonConverter(typeof(AmountTextConverter))] string? MonthlyIncome,
        [property: JsonConverter(typeof(AmountTextConverter))] string? MonthlyExpenses,
        int? EmploymentMonths,
        [property: JsonConverter(typeof(AmountTextConverter))] string? RequestedAmount,
        int? TermMonths, string? Purpose, string? Currency);

    public sealed record CreateRequest(Guid? UserId, ApplicationRequest? Application);

    public sealed record ApplicationDto(string Currency, string MonthlyIncome, string MonthlyExpenses, int EmploymentMonths, string RequestedAmount,
        int TermMonths, string Purpose);

    public sealed record ReviewDto(string Status, DateTime? RequestedAt, string? RequestNote, string? Decision, string? Grade, string? Note,
        Guid? ReviewedBy, DateTime? ReviewedAt);

    public sealed record ScoreDto(Guid Id, Guid UserId, int Score, double ProbabilityOfDefault, string Grade, string ModelGrade, List<ScoreReason> Reasons,
        string ModelVersion, Dictionary<string, object?> Features, ApplicationDto Application, DateTime CreatedAt, DateTime ExpiresAt, ReviewDto? Review);

    public sealed record ReviewRequest(string? Decision, string? Grade, string? Note);

    public sealed record ReviewAsk(string? Note);

    public const int NoteMaxLength = 2000;
    private static readonly string[] Grades = ["A", "B", "C", "D", "E"];

    public static async Task<JsonBody> Create(CreateRequest request, ClaimsPrincipal principal, FinsoftDb db, CreditModel model,
        IOptions<FinsoftOptions> options, TimeProvider time, CancellationToken ct)
    {
        var caller = CurrentUser.From(principal);
        var subject = request.UserId ?? caller.Id;
        if (caller.Role == Roles.Customer && subject != caller.Id)
        {
            return ApiResults.Problem(StatusCodes.Status403Forbidden, "A customer can ask for its own score only; leave user_id out.");
        }
        var validation = new Validation();
        var application = Parse(request.Application, validation, options.Value.DefaultCurrencyValue);
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        var customerSince = await db.Users.Where(u => u.Id == subject && u.DeletedAt == null).Select(u => (DateTime?)u.CreatedAt).FirstOrDefaultAsync(ct);
        if (customerSince is null)
        {
            return ApiResults.NotFound("User not found");
        }
        var (currency, figures) = application!.Value;
        var now = time.UtcNow();
        var profile = await CreditHistory.ProfileAsync(db, subject, customerSince.Value, currency, figures, now, ct);
        var result = model.Scorecard.Score(profile);
        var row = new CreditScoreRow
        {
            Id = Guid.CreateVersion7(), UserId = subject, RequestedBy = caller.Id, Currency = currency.Code,
            Application = Json.Serialize(figures), Features = Json.Serialize(FeatureValues(profile)), Score = result.Score,
            ProbabilityOfDefault = Math.Round(result.ProbabilityOfDefault, 6), Grade = result.Grade, Reasons = Json.Serialize(result.Reasons),
            ModelVersion = model.Scorecard.ModelVersion, CreatedAt = now, ExpiresAt = now.AddDays(options.Value.Credit.ScoreValidDays),
        };
        db.CreditScores.Add(row);
        await db.SaveChangesAsync(ct);
        return ApiResults.Created(ToDto(row));
    }

    public static async Task<JsonBody> Get(Guid id, ClaimsPrincipal principal, FinsoftDb db, CancellationToken ct) =>
        await VisibleTo(db, CurrentUser.From(principal)).FirstOrDefaultAsync(s => s.Id == id, ct) is { } row
            ? ApiResults.Ok(ToDto(row))
            : NotFound();

    /// <summary>Newest first: a customer's own; staff everyone's, or one user's, or those whose review is in a given state.</summary>
    public static async Task<JsonBody> List([FromQuery(Name = "user_id")] Guid? userId, [FromQuery(Name = "review_status")] string? reviewStatus,
        int? limit, string? cursor, ClaimsPrincipal principal, HttpRequest http, FinsoftDb db, CancellationToken ct)
    {
        if (reviewStatus is not (null or CreditReviewStatus.Requested or CreditReviewStatus.Upheld or CreditReviewStatus.Overridden))
        {
            return new Validation().Add("review_status", "review_status must be requested, upheld or overridden.").Result;
        }
        if (!PageRequest.TryParse(limit, cursor, out var page, out var problem))
        {
            return problem!;
        }
        var query = VisibleTo(db, CurrentUser.From(principal));
        if (userId is { } user)
        {
            query = query.Where(s => s.UserId == user);
        }
        if (reviewStatus is not null)
        {
            query = query.Where(s => s.ReviewStatus == reviewStatus);
        }
        return await PageResponse.ReadAsync(query, page, newestFirst: true, http, ToDto, ct);
    }

    /// <summary>The customer asks a person to look at the automated decision again (GDPR Art. 22(3)); once per score.</summary>
    public static async Task<JsonBody> RequestReview(Guid id, ReviewAsk? request, ClaimsPrincipal principal, FinsoftDb db, AuditTrail audit,
        TimeProvider time, CancellationToken ct)
    {
        var caller = CurrentUser.From(principal);
        var validation = new Validation().Optional("note", request?.Note, NoteMaxLength);
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        var row = await db.CreditScores.FirstOrDefaultAsync(s => s.Id == id && s.UserId == caller.Id, ct);
        if (row is null)
        {
            return NotFound();
        }
        if (row.ReviewStatus is not null)
        {
            return ApiResults.Problem(StatusCodes.Status409Conflict, $"A review of this score was already {row.ReviewStatus}.", errorCode: "review_exists");
        }
        (row.ReviewStatus, row.ReviewRequestedAt, row.ReviewRequestNote) = (CreditReviewStatus.Requested, time.UtcNow(), request?.Note?.Trim());
        audit.Add(db, AuditEvents.CreditReviewRequested, caller.Id, row.UserId, new { score_id = row.Id });
        await db.SaveChangesAsync(ct);
        return ApiResults.Accepted(ToDto(row));
    }

    /// <summary>
    /// An analyst upholds the model's grade or overrides it, with a note; offers follow the reviewed grade. Audited. Nobody
    /// reviews a decision about themselves, and a decided review is final (a new application gets a new score).
    /// </summary>
    public static async Task<JsonBody> Review(Guid id, ReviewRequest request, ClaimsPrincipal principal, FinsoftDb db, AuditTrail audit,
        TimeProvider time, CancellationToken ct)
    {
        var caller = CurrentUser.From(principal);
        var validation = new Validation().Required("note", request.Note, NoteMaxLength);
        if (request.Decision is not ("uphold" or "override"))
        {
            validation.Add("decision", "decision must be uphold or override.");
        }
        if (request.Decision == "override" && !Grades.Contains(request.Grade))
        {
            validation.Add("grade", "an override needs the grade it sets: A, B, C, D or E.");
        }
        if (request.Decision == "uphold" && request.Grade is not null)
        {
            validation.Add("grade", "an upheld decision keeps the model's grade; leave grade out.");
        }
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        var row = await db.CreditScores.FirstOrDefaultAsync(s => s.Id == id, ct);
        if (row is null)
        {
            return NotFound();
        }
        if (row.UserId == caller.Id)
        {
            return ApiResults.Problem(StatusCodes.Status403Forbidden, "A decision about yourself is for another analyst to review.");
        }
        if (row.ReviewStatus is CreditReviewStatus.Upheld or CreditReviewStatus.Overridden)
        {
            return ApiResults.Problem(StatusCodes.Status409Conflict, $"This score's review is decided ({row.ReviewStatus}).", errorCode: "review_decided");
        }
        var overridden = request.Decision == "override";
        (row.ReviewStatus, row.ReviewedGrade, row.ReviewNote, row.ReviewedBy, row.ReviewedAt) =
            (overridden ? CreditReviewStatus.Overridden : CreditReviewStatus.Upheld, overridden ? request.Grade : null, request.Note!.Trim(), caller.Id, time.UtcNow());
        audit.Add(db, AuditEvents.CreditReviewDecided, caller.Id, row.UserId,
            new { score_id = row.Id, decision = request.Decision, model_grade = row.Grade, grade = row.EffectiveGrade });
        await db.SaveChangesAsync(ct);
        return ApiResults.Ok(ToDto(row));
    }

    public static IQueryable<CreditScoreRow> VisibleTo(FinsoftDb db, CurrentUser user) =>
        user.SeesEveryAccount ? db.CreditScores.AsNoTracking() : db.CreditScores.AsNoTracking().Where(s => s.UserId == user.Id);

    private static JsonBody NotFound() => ApiResults.NotFound("Credit score not found");

    private static (Currency, CreditHistory.Application)? Parse(ApplicationRequest? a, Validation validation, Currency fallback)
    {
        if (a is null)
        {
            validation.Add("application", "application is required.");
            return null;
        }
        var currency = validation.Currency("application.currency", a.Currency, fallback);
        if (currency is null)
        {
            return null;
        }
        var income = validation.Amount("application.monthly_income", a.MonthlyIncome, currency);
        var expenses = Money.Parse(a.MonthlyExpenses ?? "0", currency);
        if (!expenses.IsSuccess || expenses.Value.Minor < 0)
        {
            validation.Add("application.monthly_expenses", expenses.IsSuccess ? "monthly_expenses cannot be negative." : expenses.Error!.Message);
        }
        var requested = validation.Amount("application.requested_amount", a.RequestedAmount, currency);
        if (a.EmploymentMonths is not (>= 0 and <= 1200))
        {
            validation.Add("application.employment_months", "employment_months must be a whole number from 0 to 1200.");
        }
        if (a.TermMonths is not (>= 1 and <= Finsoft.Ledger.Credit.LoanSchedule.MaxTermMonths))
        {
            validation.Add("application.term_months", $"term_months must be from 1 to {Finsoft.Ledger.Credit.LoanSchedule.MaxTermMonths}.");
        }
        if (!CreditProfile.Purposes.Contains(a.Purpose))
        {
            validation.Add("application.purpose", $"purpose must be one of {string.Join(", ", CreditProfile.Purposes)}.");
        }
        if (!validation.IsValid)
        {
            return null;
        }
        return (currency, new CreditHistory.Application(income!.Value.Minor, expenses.Value.Minor, a.EmploymentMonths!.Value, requested!.Value.Minor,
            a.TermMonths!.Value, a.Purpose!));
    }

    private static Dictionary<string, object?> FeatureValues(CreditProfile profile) =>
        FeatureCatalog.All.ToDictionary(f => f.Name, f => f.ValueOf(profile));

    public static ScoreDto ToDto(CreditScoreRow row)
    {
        var currency = Currency.Get(row.Currency);
        var a = JsonSerializer.Deserialize<CreditHistory.Application>(row.Application, Json.Options)!;
        var review = row.ReviewStatus is null ? null : new ReviewDto(row.ReviewStatus, row.ReviewRequestedAt, row.ReviewRequestNote,
            row.ReviewStatus switch { CreditReviewStatus.Upheld => "uphold", CreditReviewStatus.Overridden => "override", _ => null },
            row.ReviewedAt is null ? null : row.EffectiveGrade, row.ReviewNote, row.ReviewedBy, row.ReviewedAt);
        return new ScoreDto(row.Id, row.UserId, row.Score, row.ProbabilityOfDefault, row.EffectiveGrade, row.Grade,
            JsonSerializer.Deserialize<List<ScoreReason>>(row.Reasons, Json.Options)!, row.ModelVersion,
            JsonSerializer.Deserialize<Dictionary<string, object?>>(row.Features, Json.Options)!,
            new ApplicationDto(currency.Code, Money.Format(a.MonthlyIncome, currency), Money.Format(a.MonthlyExpenses, currency), a.EmploymentMonths,
                Money.Format(a.RequestedAmount, currency), a.TermMonths, a.Purpose),
            row.CreatedAt, row.ExpiresAt, review);
    }
}
