using System.Text.Json.Serialization;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Engine;
using Finsoft.Api.MoneyPath.Idempotency;
using Finsoft.Api.MoneyPath.Payments;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Payments;

/// <summary>
/// Sends part or all of a succeeded payment back through its provider. The wallet gives up the amount less its
/// share of the fee at once (it must hold it); the provider's answer completes the refund or books it back.
/// </summary>
public static class RefundPayment
{
    public sealed record Request([property: JsonConverter(typeof(AmountTextConverter))] string? Amount) : IIdempotentRequest;

    /// <summary>The payer refunds its own payments, from a wallet it still holds; an admin any.</summary>
    public static async Task<JsonBody> Handle(Guid id, Request? request, HttpContext http, FinsoftDb db, MoneyEngine engine, SystemAccounts system,
        CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        var payment = await db.Payments.AsNoTracking().FirstOrDefaultAsync(p => p.Id == id && (user.IsAdmin || p.UserId == user.Id), ct);
        if (payment is null)
        {
            return ApiResults.NotFound("Payment not found");
        }
        var currency = Currency.Get(payment.Currency);
        Money? amount = null;
        if (request?.Amount is not null)
        {
            var validation = new Validation();
            if (validation.Amount("amount", request.Amount, currency) is not { } asked)
            {
                return validation.Result;
            }
            amount = asked;
        }
        var command = new MoneyCommand.Refund(payment.Id, await system.EnsureAsync(SystemAccounts.ProviderClearing, currency, ct),
            await system.EnsureAsync(SystemAccounts.FeeIncome, currency, ct), amount);
        return await engine.SubmitAsync(new MoneyOrder(command, outcome => outcome switch
        {
            MoneyOutcome.Made { Transaction: { } refund } => ApiResults.Accepted(RefundDto.From(refund)),
            MoneyOutcome.Refused refused => refused.Error.ToProblem(),
            _ => throw new InvalidOperationException("A refund that was made has a transaction."),
        })
        {
            Initiator = user, Ticket = IdempotencyTicket.Of(http), MustHold = user.IsAdmin ? null : (payment.AccountId, LedgerError.TransactionNotFound),
        }, ct);
    }
}
