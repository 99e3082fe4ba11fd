using System.Security.Claims;
using System.Text.Json.Serialization;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Ledger;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.Features.Fx;

/// <summary>A quote fixes the rate and both amounts for a short time; a transfer naming it (quote_id) executes it once.</summary>
public static class FxQuotes
{
    public sealed record Request(string? FromCurrency, string? ToCurrency, [property: JsonConverter(typeof(AmountTextConverter))] string? Amount);

    public sealed record QuoteDto(Guid Id, string FromCurrency, string ToCurrency, string Rate, string FromAmount, string ToAmount, DateTime ExpiresAt)
    {
        public static QuoteDto From(FxQuoteRow q) => new(q.Id, q.FromCurrency, q.ToCurrency, q.Rate,
            Money.Format(q.FromAmount, Currency.Get(q.FromCurrency)), Money.Format(q.ToAmount, Currency.Get(q.ToCurrency)), q.ExpiresAt);
    }

    public static async Task<JsonBody> Create(Request request, ClaimsPrincipal principal, FinsoftDb db, IOptions<FinsoftOptions> options,
        TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation();
        var (from, to) = FxRates.Pair(validation, request.FromCurrency, request.ToCurrency, "from_currency", "to_currency");
        var amount = from is null ? null : validation.Amount("amount", request.Amount, from);
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        var now = time.UtcNow();
        var rate = await FxRates.InForceAsync(db, from!, to!, now, ct);
        if (rate is null)
        {
            return ApiResults.NotFound($"No rate for {from!.Code}/{to!.Code}");
        }
        if (rate.Convert(amount!.Value) is not { } converted)
        {
            return validation.Add("amount", "amount converts to less than one minor unit, or to more than the ledger can hold.").Result;
        }
        var quote = new FxQuoteRow
        {
            Id = Guid.CreateVersion7(), UserId = CurrentUser.From(principal).Id, FromCurrency = from!.Code, ToCurrency = to!.Code, Rate = rate.RateText,
            FromAmount = amount.Value.Minor, ToAmount = converted.Minor, CreatedAt = now, ExpiresAt = now.AddSeconds(options.Value.FxQuoteSeconds),
        };
        db.FxQuotes.Add(quote);
        await db.SaveChangesAsync(ct);
        return ApiResults.Created(QuoteDto.From(quote));
    }
}
