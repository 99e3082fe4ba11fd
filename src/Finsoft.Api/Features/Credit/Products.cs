using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using Finsoft.Api.Infrastructure.Audit;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Ledger;
using Finsoft.Ledger.Credit;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Credit;

/// <summary>Loan products (admins write, everyone who borrows reads). Offers and loans copy a product's terms, so a change applies to new offers only.</summary>
public static class Products
{
    public sealed record Request(string? Name, string? Currency,
        [property: JsonConverter(typeof(AmountTextConverter))] string? MinAmount,
        [property: JsonConverter(typeof(AmountTextConverter))] string? MaxAmount,
        int? MinTermMonths, int? MaxTermMonths, Dictionary<string, string>? AprByGrade,
        [property: JsonConverter(typeof(AmountTextConverter))] string? OriginationFee,
        string? Amortization, int? GraceDays,
        [property: JsonConverter(typeof(AmountTextConverter))] string? LateFee);

    public sealed record ProductDto(Guid Id, string Name, string Currency, string MinAmount, string MaxAmount, int MinTermMonths, int MaxTermMonths,
        [property: JsonConverter(typeof(VerbatimKeysConverter))] Dictionary<string, string> AprByGrade, string OriginationFee, string Amortization, int GraceDays,
        string LateFee, bool Active,
        DateTime CreatedAt, DateTime UpdatedAt);

    public const string EqualInstallments = "equal_installments";
    public const string EqualPrincipal = "equal_principal";
    private static readonly string[] OfferedGrades = ["A", "B", "C", "D"];

    public static async Task<JsonBody> Create(Request request, ClaimsPrincipal principal, FinsoftDb db, AuditTrail audit, TimeProvider time, CancellationToken ct)
    {
        var now = time.UtcNow();
        var row = new CreditProductRow { Id = Guid.CreateVersion7(), Name = "", Currency = "", AprByGrade = "{}", Amortization = "", CreatedAt = now };
        if (Apply(request, row, now) is { } problem)
        {
            return problem;
        }
        db.CreditProducts.Add(row);
        audit.Add(db, AuditEvents.CreditProductChanged, CurrentUser.From(principal).Id, row.Id, new { action = "created", product = ToDto(row) });
        await db.SaveChangesAsync(ct);
        return ApiResults.Created(ToDto(row));
    }

    /// <summary>Replaces the product's terms whole.</summary>
    public static async Task<JsonBody> Replace(Guid id, Request request, ClaimsPrincipal principal, FinsoftDb db, AuditTrail audit, TimeProvider time,
        CancellationToken ct)
    {
        var row = await db.CreditProducts.FirstOrDefaultAsync(p => p.Id == id && p.ArchivedAt == null, ct);
        if (row is null)
        {
            return NotFound();
        }
        if (Apply(request, row, time.UtcNow()) is { } problem)
        {
            return problem;
        }
        audit.Add(db, AuditEvents.CreditProductChanged, CurrentUser.From(principal).Id, row.Id, new { action = "replaced", product = ToDto(row) });
        await db.SaveChangesAsync(ct);
        return ApiResults.Ok(ToDto(row));
    }

    /// <summary>Withdraws the product from new offers; its loans run on.</summary>
    public static async Task<JsonBody> Archive(Guid id, ClaimsPrincipal principal, FinsoftDb db, AuditTrail audit, TimeProvider time, CancellationToken ct)
    {
        var row = await db.CreditProducts.FirstOrDefaultAsync(p => p.Id == id && p.ArchivedAt == null, ct);
        if (row is null)
        {
            return NotFound();
        }
        row.ArchivedAt = row.UpdatedAt = time.UtcNow();
        audit.Add(db, AuditEvents.CreditProductChanged, CurrentUser.From(principal).Id, row.Id, new { action = "archived" });
        await db.SaveChangesAsync(ct);
        return ApiResults.Deleted("Product archived: it makes no new offers.");
    }

    public static async Task<JsonBody> Get(Guid id, FinsoftDb db, CancellationToken ct) =>
        await db.CreditProducts.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, ct) is { } row ? ApiResults.Ok(ToDto(row)) : NotFound();

    public static async Task<JsonBody> List(int? limit, string? cursor, HttpRequest http, FinsoftDb db, CancellationToken ct) =>
        PageRequest.TryParse(limit, cursor, out var page, out var problem)
            ? await PageResponse.ReadAsync(db.CreditProducts.Where(p => p.ArchivedAt == null), page, newestFirst: false, http, ToDto, ct)
            : problem!;

    public static Dictionary<string, string> Rates(CreditProductRow row) => JsonSerializer.Deserialize<Dictionary<string, string>>(row.AprByGrade)!;

    public static Amortization MethodOf(string amortization) => amortization == EqualPrincipal ? Amortization.EqualPrincipal : Amortization.EqualInstallments;

    /// <summary>An annual rate as the API writes it: a decimal string such as "0.18", at most six decimals, from 0 to below 10.</summary>
    public static decimal? ParseRate(string? text) =>
        decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var rate) && rate < 10m && decimal.Round(rate, 6) == rate
            ? rate : null;

    private static JsonBody? Apply(Request r, CreditProductRow row, DateTime now)
    {
        var validation = new Validation().Required("name", r.Name);
        var currency = validation.Currency("currency", r.Currency);
        Money? min = null, max = null, fee = null, late = null;
        if (currency is not null)
        {
            min = validation.Amount("min_amount", r.MinAmount, currency);
            max = validation.Amount("max_amount", r.MaxAmount, currency);
            fee = NonNegative(validation, "origination_fee", r.OriginationFee, currency);
            late = NonNegative(validation, "late_fee", r.LateFee, currency);
            if (min is { } low && max is { } high && low.Minor > high.Minor)
            {
                validation.Add("max_amount", "max_amount must be at least min_amount.");
            }
            if (min is { } smallest && fee is { } charge && charge.Minor >= smallest.Minor)
            {
                validation.Add("origination_fee", "origination_fee must be less than min_amount: it is taken from the money paid out.");
            }
        }
        if (r.MinTermMonths is not (>= 1 and <= LoanSchedule.MaxTermMonths))
        {
            validation.Add("min_term_months", $"min_term_months must be from 1 to {LoanSchedule.MaxTermMonths}.");
        }
        if (r.MaxTermMonths is not (>= 1 and <= LoanSchedule.MaxTermMonths) || r.MaxTermMonths < r.MinTermMonths)
        {
            validation.Add("max_term_months", $"max_term_months must be from min_term_months to {LoanSchedule.MaxTermMonths}.");
        }
        if (min is { } floor && r.MaxTermMonths is { } longest && floor.Minor < longest)
        {
            validation.Add("min_amount", "min_amount must be at least one minor unit per installment of the longest term.");
        }
        if (r.AprByGrade is not { Count: > 0 } rates)
        {
            validation.Add("apr_by_grade", "apr_by_grade needs a rate for at least one grade, A to D.");
        }
        else
        {
            foreach (var (grade, text) in rates)
            {
                if (!OfferedGrades.Contains(grade))
                {
                    validation.Add("apr_by_grade", $"'{grade}' is not a grade that gets offers (A, B, C, D; E is declined).");
                }
                else if (ParseRate(text) is null)
                {
                    validation.Add("apr_by_grade", $"{grade}: a rate is a decimal string from \"0\" to below \"10\" with at most six decimals, such as \"0.18\".");
                }
            }
        }
        if (r.Amortization is not (EqualInstallments or EqualPrincipal))
        {
            validation.Add("amortization", $"amortization must be {EqualInstallments} or {EqualPrincipal}.");
        }
        if (r.GraceDays is not (>= 0 and <= 365))
        {
            validation.Add("grace_days", "grace_days must be from 0 to 365.");
        }
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        (row.Name, row.Currency, row.MinAmount, row.MaxAmount, row.MinTermMonths, row.MaxTermMonths) =
            (r.Name!.Trim(), currency!.Code, min!.Value.Minor, max!.Value.Minor, r.MinTermMonths!.Value, r.MaxTermMonths!.Value);
        (row.AprByGrade, row.OriginationFee, row.Amortization, row.GraceDays, row.LateFee, row.UpdatedAt) =
            (JsonSerializer.Serialize(r.AprByGrade), fee!.Value.Minor, r.Amortization!, r.GraceDays!.Value, late!.Value.Minor, now);
        return null;
    }

    private static Money? NonNegative(Validation validation, string field, string? text, Currency currency)
    {
        var parsed = Money.Parse(text ?? "0", currency);
        if (parsed.IsSuccess && parsed.Value.Minor >= 0)
        {
            return parsed.Value;
        }
        validation.Add(field, parsed.IsSuccess ? $"{field} cannot be negative." : parsed.Error!.Message);
        return null;
    }

    private static JsonBody NotFound() => ApiResults.NotFound("Credit product not found");

    public static ProductDto ToDto(CreditProductRow row)
    {
        var currency = Currency.Get(row.Currency);
        return new ProductDto(row.Id, row.Name, row.Currency, Money.Format(row.MinAmount, currency), Money.Format(row.MaxAmount, currency),
            row.MinTermMonths, row.MaxTermMonths, Rates(row), Money.Format(row.OriginationFee, currency), row.Amortization, row.GraceDays,
            Money.Format(row.LateFee, currency), row.ArchivedAt is null, row.CreatedAt, row.UpdatedAt);
    }
}
