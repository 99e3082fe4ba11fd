using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Ledger;
using Finsoft.Ledger.Credit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.Features.Credit;

/// <summary>
/// Offers: for a score that is still good and graded A to D, one priced offer per active product in the application's
/// currency whose term range holds the term asked for, at the product's rate for the grade (a reviewer's grade, where one
/// was set). The amount is what was asked for, capped by the product's maximum and by affordability: no installment above
/// half of what the applicant keeps each month (income less expenses). When no product fits, the answer says why for each.
/// </summary>
public static class Offers
{
    public sealed record CreateRequest(Guid? ScoreId);

    public sealed record OfferDto(Guid Id, Guid UserId, Guid ScoreId, Guid ProductId, string Grade, string Currency, string Amount, int TermMonths,
        string Apr, string Amortization, string Installment, string TotalInterest, string OriginationFee, string TotalCost, string TotalRepayable,
        string LateFee, int GraceDays, string Status, Guid? LoanId, DateTime ExpiresAt, DateTime CreatedAt);

    /// <summary>The share of the monthly income left after expenses that an installment may take.</summary>
    private const decimal AffordableShare = 0.5m;

    public static async Task<JsonBody> Create(CreateRequest request, ClaimsPrincipal principal, FinsoftDb db, IOptions<FinsoftOptions> options,
        TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation().Required("score_id", request.ScoreId);
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        var caller = CurrentUser.From(principal);
        var score = await Scores.VisibleTo(db, caller).FirstOrDefaultAsync(s => s.Id == request.ScoreId, ct);
        if (score is null)
        {
            return ApiResults.NotFound("Credit score not found");
        }
        var now = time.UtcNow();
        if (score.ExpiresAt <= now)
        {
            return ApiResults.Problem(StatusCodes.Status409Conflict, "The score has expired; ask for a new one.", errorCode: "score_expired");
        }
        if (score.EffectiveGrade == "E")
        {
            return ApiResults.Problem(StatusCodes.Status422UnprocessableEntity,
                "Grade E gets no offers. The main reasons: " + string.Join("; ", Reasons(score)) + ". The customer may ask for a human review.",
                errorCode: "credit_declined");
        }
        var made = await db.CreditOffers.AsNoTracking().Where(o => o.ScoreId == score.Id).ToListAsync(ct);
        if (made.Any(o => o.AcceptedAt is not null))
        {
            return ApiResults.Problem(StatusCodes.Status409Conflict, "A loan was taken on this score already; ask for a new score.", errorCode: "score_used");
        }
        if (made.Where(o => o.ExpiresAt > now).ToList() is { Count: > 0 } open)
        {
            return ApiResults.Ok(InOrder(open).Select(o => ToDto(o, now)).ToList()); // one set of offers per score: asking again shows them
        }
        var application = JsonSerializer.Deserialize<CreditHistory.Application>(score.Application, Json.Options)!;
        var repaying = await RepayingAsync(db, score.UserId, score.Currency, ct);
        var products = await db.CreditProducts.AsNoTracking().Where(p => p.ArchivedAt == null && p.Currency == score.Currency)
            .OrderBy(p => p.CreatedAt).ThenBy(p => p.Id).ToListAsync(ct);
        var expiresAt = Min(now.AddDays(options.Value.Credit.OfferValidDays), score.ExpiresAt);
        var priced = products.Select(p => (Product: p, Offer: Price(p, score, application, repaying, now, expiresAt, out var why), Why: why)).ToList();
        var offers = priced.Select(p => p.Offer).OfType<CreditOfferRow>().ToList();
        if (offers.Count == 0)
        {
            var reasons = priced.Count == 0 ? $"there is no {score.Currency} product" : string.Join("; ", priced.Select(p => $"{p.Product.Name}: {p.Why}"));
            return ApiResults.Problem(StatusCodes.Status422UnprocessableEntity, $"No product fits the application ({reasons}).", errorCode: "no_offer");
        }
        db.CreditOffers.AddRange(offers);
        await db.SaveChangesAsync(ct);
        return ApiResults.Created(InOrder(offers).Select(o => ToDto(o, now)).ToList());
    }

    public static async Task<JsonBody> Get(Guid id, ClaimsPrincipal principal, FinsoftDb db, TimeProvider time, CancellationToken ct) =>
        await VisibleTo(db, CurrentUser.From(principal)).FirstOrDefaultAsync(o => o.Id == id, ct) is { } row
            ? ApiResults.Ok(ToDto(row, time.UtcNow()))
            : ApiResults.NotFound("Credit offer not found");

    public static async Task<JsonBody> List(int? limit, string? cursor, ClaimsPrincipal principal, HttpRequest http, FinsoftDb db, TimeProvider time,
        CancellationToken ct)
    {
        if (!PageRequest.TryParse(limit, cursor, out var page, out var problem))
        {
            return problem!;
        }
        var now = time.UtcNow();
        return await PageResponse.ReadAsync(VisibleTo(db, CurrentUser.From(principal)), page, newestFirst: true, http, o => ToDto(o, now), ct);
    }

    public static IQueryable<CreditOfferRow> VisibleTo(FinsoftDb db, CurrentUser user) =>
        user.SeesEveryAccount ? db.CreditOffers.AsNoTracking() : db.CreditOffers.AsNoTracking().Where(o => o.UserId == user.Id);

    /// <summary>The product's offer for the score, or none and why (in words for the applicant).</summary>
    /// <param name="repaying">What the applicant already pays each month at most on its loans in the currency, out of what it could afford.</param>
    private static CreditOfferRow? Price(CreditProductRow product, CreditScoreRow score, CreditHistory.Application application, long repaying, DateTime now,
        DateTime expiresAt, out string why)
    {
        var currency = Currency.Get(product.Currency);
        string F(long minor) => Money.Format(minor, currency);
        why = "";
        if (!Products.Rates(product).TryGetValue(score.EffectiveGrade, out var rateText) || Products.ParseRate(rateText) is not { } rate)
        {
            why = $"not offered to grade {score.EffectiveGrade}";
            return null;
        }
        var term = application.TermMonths;
        if (term < product.MinTermMonths || term > product.MaxTermMonths)
        {
            why = $"term_months must be from {product.MinTermMonths} to {product.MaxTermMonths}";
            return null;
        }
        if (application.RequestedAmount < product.MinAmount)
        {
            why = $"the smallest loan is {F(product.MinAmount)}";
            return null;
        }
        var affordable = (long)decimal.Floor((application.MonthlyIncome - application.MonthlyExpenses) * AffordableShare) - repaying;
        if (affordable <= 0)
        {
            why = repaying > 0 ? "the installments of loans already taken use all that is affordable" : "expenses leave nothing of the income to repay with";
            return null;
        }
        var amount = Math.Min(application.RequestedAmount, product.MaxAmount);
        var method = Products.MethodOf(product.Amortization);
        var schedule = Schedule(amount, currency, rate, term, method, now);
        if (schedule is not null && FirstInstallment(schedule) > affordable)
        {
            // Scale the amount down to what the affordable installment carries, in whole currency units.
            var unit = (long)Math.Pow(10, currency.MinorUnits);
            amount = (long)((Int128)amount * affordable / FirstInstallment(schedule)) / unit * unit;
            schedule = Schedule(amount, currency, rate, term, method, now);
        }
        if (schedule is null || amount < product.MinAmount || FirstInstallment(schedule) > affordable || product.OriginationFee >= amount)
        {
            why = $"an installment of at most {F(affordable)} (half of income less expenses) carries less than the smallest loan, {F(product.MinAmount)}";
            return null;
        }
        return new CreditOfferRow
        {
            Id = Guid.CreateVersion7(), UserId = score.UserId, ScoreId = score.Id, ProductId = product.Id, Grade = score.EffectiveGrade,
            Currency = product.Currency, Amount = amount, TermMonths = term, Apr = rate.ToString(CultureInfo.InvariantCulture),
            Amortization = product.Amortization, Installment = FirstInstallment(schedule), TotalInterest = schedule.TotalInterest,
            OriginationFee = product.OriginationFee, TotalCost = checked(schedule.TotalInterest + product.OriginationFee),
            LateFee = product.LateFee, GraceDays = product.GraceDays, CreatedAt = now, ExpiresAt = expiresAt,
        };
    }

    /// <summary>A score's offers in one order wherever they come from (the ids, compared here, not as the database compares them).</summary>
    private static IEnumerable<CreditOfferRow> InOrder(IEnumerable<CreditOfferRow> offers) => offers.OrderBy(o => o.CreatedAt).ThenBy(o => o.Id);

    /// <summary>The largest installment each active loan in the currency still has to pay, summed.</summary>
    private static async Task<long> RepayingAsync(FinsoftDb db, Guid userId, string currency, CancellationToken ct)
    {
        var months = await (from i in db.LoanInstallments
                            join l in db.Loans on i.LoanId equals l.Id
                            where l.UserId == userId && l.Currency == currency && l.Status == LoanStatus.Active && i.Status != InstallmentStatus.Paid
                            select new { i.LoanId, Left = i.Principal + i.Interest + i.LateFee - i.PrincipalPaid - i.InterestPaid - i.LateFeePaid })
            .ToListAsync(ct);
        return months.GroupBy(m => m.LoanId).Sum(g => g.Max(m => m.Left));
    }

    private static LoanSchedule? Schedule(long amount, Currency currency, decimal rate, int term, Amortization method, DateTime now) =>
        amount > 0 && LoanSchedule.Build(new Money(amount, currency), rate, term, method, DateOnly.FromDateTime(now)) is { IsSuccess: true } built
            ? built.Value : null;

    /// <summary>The largest installment is the first: equal installments are level but for the last; equal principal falls month by month.</summary>
    private static long FirstInstallment(LoanSchedule schedule) => schedule.Installments[0].Total;

    private static IEnumerable<string> Reasons(CreditScoreRow score) =>
        JsonSerializer.Deserialize<List<Finsoft.Credit.ScoreReason>>(score.Reasons, Json.Options)!.Select(r => r.Text);

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

    public static string StatusOf(CreditOfferRow row, DateTime now) => row.AcceptedAt is not null ? "accepted" : row.ExpiresAt <= now ? "expired" : "open";

    public static OfferDto ToDto(CreditOfferRow row, DateTime now)
    {
        var currency = Currency.Get(row.Currency);
        string F(long minor) => Money.Format(minor, currency);
        return new OfferDto(row.Id, row.UserId, row.ScoreId, row.ProductId, row.Grade, row.Currency, F(row.Amount), row.TermMonths, row.Apr,
            row.Amortization, F(row.Installment), F(row.TotalInterest), F(row.OriginationFee), F(row.TotalCost), F(checked(row.Amount + row.TotalInterest)),
            F(row.LateFee), row.GraceDays, StatusOf(row, now), row.LoanId, row.ExpiresAt, row.CreatedAt);
    }
}
