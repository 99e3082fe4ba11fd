using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Engine;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Transactions;

/// <summary>
/// A transfer between wallets of different currencies at a quoted price: one transaction, two balanced
/// journal entries, one per currency (origin → FX conversion account in the origin's currency; FX
/// conversion account in the destination's currency → destination). The engine spends the quote in
/// the same database transaction, having read it unspent under lock.
/// </summary>
public static class CrossCurrencyTransfer
{
    public static async Task<(MoneyOrder? Order, JsonBody? Problem)> OrderAsync(Transfer.Request request, CurrentUser user, FinsoftDb db,
        SystemAccounts system, CancellationToken ct)
    {
        var validation = new Validation().Required("origin_account_id", request.OriginAccountId)
            .Required("destination_account_id", request.DestinationAccountId).Optional("description", request.Description);
        if (request.Hold is not null || request.ExpiresAt is not null)
        {
            validation.Add("hold", "a quoted transfer cannot be a hold.");
        }
        if (!validation.IsValid)
        {
            return (null, validation.Result);
        }
        var quote = await db.FxQuotes.AsNoTracking().FirstOrDefaultAsync(q => q.Id == request.QuoteId && q.UserId == user.Id, ct);
        if (quote is null)
        {
            return (null, ApiResults.NotFound("Quote not found"));
        }
        var origin = await db.OpenWallets().HeldBy(db, user.Id).AsNoTracking().FirstOrDefaultAsync(a => a.Id == request.OriginAccountId, ct);
        if (origin is null)
        {
            return (null, LedgerError.OriginNotFound.ToProblem());
        }
        var destination = await db.OpenWallets().AsNoTracking().FirstOrDefaultAsync(a => a.Id == request.DestinationAccountId, ct);
        if (destination is null)
        {
            return (null, LedgerError.DestinationNotFound.ToProblem());
        }
        var (fromCurrency, toCurrency) = (Currency.Get(quote.FromCurrency), Currency.Get(quote.ToCurrency));
        if (origin.Currency != fromCurrency.Code || destination.Currency != toCurrency.Code)
        {
            return (null, ApiResults.Unprocessable($"The quote converts {fromCurrency.Code} to {toCurrency.Code}; the accounts hold {origin.Currency} and {destination.Currency}"));
        }
        if (request.Amount is not null && validation.Amount("amount", request.Amount, fromCurrency) is { } asked && asked.Minor != quote.FromAmount)
        {
            validation.Add("amount", "amount must be the quote's from_amount (or left out).");
        }
        if (!validation.IsValid)
        {
            return (null, validation.Result);
        }
        var (sent, received) = (new Money(quote.FromAmount, fromCurrency), new Money(quote.ToAmount, toCurrency));
        var fxFrom = await system.EnsureAsync(SystemAccounts.FxConversion, fromCurrency, ct);
        var fxTo = await system.EnsureAsync(SystemAccounts.FxConversion, toCurrency, ct);
        var command = new MoneyCommand.Convert(origin.Id, fxFrom, sent, fxTo, destination.Id, received, QuoteUsable: false); // the engine reads the quote under lock
        return (new MoneyOrder(command, outcome => Movement.Render(outcome, user, StatusCodes.Status201Created))
        {
            Initiator = user, MustHold = (origin.Id, LedgerError.OriginNotFound), Description = request.Description,
            Conversion = new Conversion(received, quote.Rate, quote.Id),
        }, null);
    }
}
