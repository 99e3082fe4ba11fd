using Finsoft.Api.Features.Accounts;
using Finsoft.Api.Features.Transactions;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.MoneyPath.Idempotency;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Fx;

/// <summary>
/// A transfer between wallets of different currencies at a quoted price: one transaction, two balanced
/// journal entries, one per currency (origin → FX conversion account in the origin's currency; FX
/// conversion account in the destination's currency → destination). The quote is spent in the same
/// database transaction (and a unique index lets it pay out only once).
/// </summary>
public static class CrossCurrencyTransfer
{
    private static readonly LedgerError QuoteSpent = new(LedgerErrorCode.IllegalTransition, "The quote has expired or was already used; ask for a new one");

    public static async Task<JsonBody> HandleAsync(Transfer.Request request, HttpContext http, FinsoftDb db, UnitOfWork work, LedgerStore ledger,
        SystemAccounts system, TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation().Required("origin_account_id", request.OriginAccountId)
            .Required("destination_account_id", request.DestinationAccountId).Optional("description", request.Description);
        if (request.Hold is not null || request.ExpiresAt is not null)
        {
            validation.Add("hold", "a quoted transfer cannot be a hold.");
        }
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        var user = CurrentUser.From(http.User);
        var quote = await db.FxQuotes.AsNoTracking().FirstOrDefaultAsync(q => q.Id == request.QuoteId && q.UserId == user.Id, ct);
        if (quote is null)
        {
            return ApiResults.NotFound("Quote not found");
        }
        var origin = await db.OpenWallets().HeldBy(db, user.Id).AsNoTracking().FirstOrDefaultAsync(a => a.Id == request.OriginAccountId, ct);
        if (origin is null)
        {
            return LedgerError.OriginNotFound.ToProblem();
        }
        var destination = await db.OpenWallets().AsNoTracking().FirstOrDefaultAsync(a => a.Id == request.DestinationAccountId, ct);
        if (destination is null)
        {
            return LedgerError.DestinationNotFound.ToProblem();
        }
        var (fromCurrency, toCurrency) = (Currency.Get(quote.FromCurrency), Currency.Get(quote.ToCurrency));
        if (origin.Currency != fromCurrency.Code || destination.Currency != toCurrency.Code)
        {
            return ApiResults.Unprocessable($"The quote converts {fromCurrency.Code} to {toCurrency.Code}; the accounts hold {origin.Currency} and {destination.Currency}");
        }
        if (request.Amount is not null && validation.Amount("amount", request.Amount, fromCurrency) is { } asked && asked.Minor != quote.FromAmount)
        {
            validation.Add("amount", "amount must be the quote's from_amount (or left out).");
        }
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        var (sent, received) = (new Money(quote.FromAmount, fromCurrency), new Money(quote.ToAmount, toCurrency));
        var fxFrom = await system.EnsureAsync(SystemAccounts.FxConversion, fromCurrency, ct);
        var fxTo = await system.EnsureAsync(SystemAccounts.FxConversion, toCurrency, ct);

        var result = await work.RunAsync<JsonBody>(async ct =>
        {
            var now = time.UtcNow();
            var claimed = await db.FxQuotes.Where(q => q.Id == quote.Id && q.UsedAt == null && q.ExpiresAt > now)
                .ExecuteUpdateAsync(s => s.SetProperty(q => q.UsedAt, now), ct);
            if (claimed == 0)
            {
                return QuoteSpent;
            }
            var transaction = await ledger.RecordAsync(new NewTransaction(TransactionType.Transfer, TransactionStatus.Completed, sent, user.Id,
                request.Description, OriginAccountId: origin.Id, DestinationAccountId: destination.Id,
                Conversion: new Conversion(received, quote.Rate, quote.Id)), ct);
            if (await ledger.PostAsync(transaction.Id, JournalEntry.Move(origin.Id, fxFrom, sent), ct) is not null)
            {
                return LedgerError.InsufficientFunds;
            }
            if (await ledger.PostAsync(transaction.Id, JournalEntry.Move(fxTo, destination.Id, received), ct) is not null)
            {
                return LedgerError.DestinationNotFound;
            }
            return await http.RespondWithinTransactionAsync(db, ApiResults.Created(await Transfer.MovementAsync(db, transaction, user, ct)), ct);
        }, ct);
        return result.ToResponse();
    }
}

/// <summary>A transfer naming a quote runs outside the transfer engine, so the ordinary idempotency filter keeps its key.</summary>
public sealed class QuotedTransferIdempotency : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        context.Arguments.OfType<Transfer.Request>().FirstOrDefault()?.QuoteId is null
            ? next(context)
            : ActivatorUtilities.CreateInstance<IdempotencyFilter>(context.HttpContext.RequestServices).InvokeAsync(context, next);
}
