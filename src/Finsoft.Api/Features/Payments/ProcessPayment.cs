using System.Text.Json.Serialization;
using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Engine;
using Finsoft.Api.MoneyPath.Idempotency;
using Finsoft.Api.MoneyPath.Payments;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.Features.Payments;

/// <summary>
/// Money in from a customer's card or bank account to one of its wallets: the payment starts processing
/// (202) and is handed to the method's provider; the provider's event later settles it (the wallet is
/// credited with the amount less the fee) or fails it (nothing moves).
/// </summary>
public static class ProcessPayment
{
    public sealed record Request(
        Guid? PaymentMethodId,
        Guid? AccountId,
        [property: JsonConverter(typeof(AmountTextConverter))] string? Amount,
        string? Currency,
        string? Description) : IIdempotentRequest;

    public static async Task<JsonBody> Handle(Request request, HttpContext http, FinsoftDb db, MoneyEngine engine, IOptions<FinsoftOptions> options,
        CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        var validation = new Validation().Required("payment_method_id", request.PaymentMethodId).Required("account_id", request.AccountId)
            .Required("currency", request.Currency).Optional("description", request.Description);
        var currency = request.Currency is null ? null : validation.Currency("currency", request.Currency);
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        var method = await db.PaymentMethods.AsNoTracking()
            .FirstOrDefaultAsync(m => m.Id == request.PaymentMethodId && m.UserId == user.Id && m.DeletedAt == null, ct);
        if (method is null)
        {
            return ApiResults.NotFound("Payment method not found");
        }
        var wallet = await db.OpenWallets().HeldBy(db, user.Id).AsNoTracking().FirstOrDefaultAsync(a => a.Id == request.AccountId, ct);
        if (wallet is null)
        {
            return LedgerError.AccountNotFound.ToProblem();
        }
        if (wallet.Currency != currency!.Code)
        {
            return ApiResults.Unprocessable($"The wallet holds {wallet.Currency}; a payment into it must be in {wallet.Currency}, not {currency.Code}.");
        }
        if (validation.Amount("amount", request.Amount, currency) is not { } amount)
        {
            return validation.Result;
        }
        var fee = PaymentFee.Of(amount, options.Value.Payments);
        if (fee.Minor >= amount.Minor)
        {
            return ApiResults.Unprocessable($"amount must be more than the fee of {fee} it would carry.");
        }
        var payment = new PaymentRow
        {
            UserId = user.Id, AccountId = wallet.Id, PaymentMethodId = method.Id, MethodType = method.Type, MethodBrand = method.Brand,
            MethodLast4 = method.Last4, Provider = method.Provider, Amount = amount.Minor, Fee = fee.Minor, Currency = currency.Code,
            Status = PaymentStatus.Processing, Description = request.Description,
        };
        return await engine.SubmitAsync(new MoneyOrder(new MoneyCommand.OpenPayIn(wallet.Id, amount, fee), outcome => outcome switch
        {
            MoneyOutcome.Made { Transaction: { } opened } => ApiResults.Accepted(PaymentDto.From(PaymentBook.Stamped(payment, opened))),
            MoneyOutcome.Refused refused => refused.Error.ToProblem(),
            _ => throw new InvalidOperationException("A pay-in that was made has a transaction."),
        })
        {
            Initiator = user, Ticket = IdempotencyTicket.Of(http), MustHold = (wallet.Id, LedgerError.AccountNotFound), Description = request.Description,
            Then = PaymentBook.Open(payment),
        }, ct);
    }
}
