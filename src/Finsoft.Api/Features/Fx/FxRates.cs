using System.Security.Claims;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Fx;

/// <summary>Admins record rates; everyone reads the rate in force. A pair with no rate of its own is priced by its inverse.</summary>
public static class FxRates
{
    public sealed record Request(string? Base, string? Quote, string? Rate, DateTime? EffectiveAt);

    public sealed record RateInForce(string Base, string Quote, string Rate);

    public sealed record RateDto(Guid Id, string Base, string Quote, string Rate, DateTime EffectiveAt, DateTime CreatedAt)
    {
        public static RateDto From(FxRateRow r) => new(r.Id, r.Base, r.Quote, r.Rate, r.EffectiveAt, r.CreatedAt);
    }

    public static async Task<JsonBody> Create(Request request, ClaimsPrincipal principal, FinsoftDb db, TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation();
        var (baseCurrency, quoteCurrency) = Pair(validation, request.Base, request.Quote);
        if (!ExchangeRate.TryParseRate(request.Rate, out var rate, out var error))
        {
            validation.Add("rate", error);
        }
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        var now = time.UtcNow();
        var row = new FxRateRow
        {
            Id = Guid.CreateVersion7(), Base = baseCurrency!.Code, Quote = quoteCurrency!.Code,
            Rate = rate.ToString(System.Globalization.CultureInfo.InvariantCulture), EffectiveAt = request.EffectiveAt?.ToUniversalTime() ?? now,
            CreatedBy = CurrentUser.From(principal).Id, CreatedAt = now,
        };
        db.FxRates.Add(row);
        await db.SaveChangesAsync(ct);
        return ApiResults.Created(RateDto.From(row));
    }

    public static async Task<JsonBody> Current(string? @base, string? quote, FinsoftDb db, TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation();
        var (baseCurrency, quoteCurrency) = Pair(validation, @base, quote);
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        var rate = await InForceAsync(db, baseCurrency!, quoteCurrency!, time.UtcNow(), ct);
        return rate is null
            ? ApiResults.NotFound($"No rate for {baseCurrency!.Code}/{quoteCurrency!.Code}")
            : ApiResults.Ok(new RateInForce(rate.Base.Code, rate.Quote.Code, rate.RateText));
    }

    /// <summary>The latest rate effective at <paramref name="now"/> for the pair, or the inverse of the reverse pair's.</summary>
    public static async Task<ExchangeRate?> InForceAsync(FinsoftDb db, Currency from, Currency to, DateTime now, CancellationToken ct)
    {
        var direct = await LatestAsync(db, from.Code, to.Code, now, ct);
        if (direct is not null)
        {
            return new ExchangeRate(from, to, decimal.Parse(direct.Rate, System.Globalization.CultureInfo.InvariantCulture));
        }
        var reverse = await LatestAsync(db, to.Code, from.Code, now, ct);
        return reverse is null ? null : new ExchangeRate(to, from, decimal.Parse(reverse.Rate, System.Globalization.CultureInfo.InvariantCulture)).Inverse();
    }

    /// <summary>Every rate recorded, the newest first: what was priced when, those that take effect later too.</summary>
    public static async Task<JsonBody> List(int? limit, string? cursor, HttpRequest http, FinsoftDb db, CancellationToken ct) =>
        PageRequest.TryParse(limit, cursor, out var page, out var problem)
            ? await PageResponse.ReadAsync(db.FxRates, page, newestFirst: true, http, RateDto.From, ct)
            : problem!;

    /// <summary>The pair's own rate in force at <paramref name="now"/> (not its inverse), or none.</summary>
    public static Task<FxRateRow?> LatestAsync(FinsoftDb db, string from, string to, DateTime now, CancellationToken ct) =>
        db.FxRates.AsNoTracking().Where(r => r.Base == from && r.Quote == to && r.EffectiveAt <= now)
            .OrderByDescending(r => r.EffectiveAt).ThenByDescending(r => r.Id).FirstOrDefaultAsync(ct);

    public static (Currency? Base, Currency? Quote) Pair(Validation validation, string? @base, string? quote, string baseField = "base", string quoteField = "quote")
    {
        var b = Currency.Find(@base ?? "");
        var q = Currency.Find(quote ?? "");
        if (b is null)
        {
            validation.Add(baseField, $"{baseField} must be an ISO 4217 code.");
        }
        if (q is null)
        {
            validation.Add(quoteField, $"{quoteField} must be an ISO 4217 code.");
        }
        if (b is not null && b == q)
        {
            validation.Add(quoteField, $"{quoteField} must differ from {baseField}.");
        }
        return (b, q);
    }
}
