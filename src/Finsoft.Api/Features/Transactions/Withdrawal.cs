using System.Text.Json.Serialization;
using Finsoft.Api.Features.DestinationAccounts;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.Infrastructure.Security;
using Finsoft.Api.MoneyPath.Engine;
using Finsoft.Api.MoneyPath.Idempotency;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Transactions;

public static class Withdrawal
{
    public sealed record Request(
        Guid? OriginAccountId,
        Guid? ExternalDestinationAccountId,
        [property: JsonConverter(typeof(AmountTextConverter))] string? Amount,
        string? Description) : IIdempotentRequest;

    /// <summary>SPEI moves Mexican pesos only.</summary>
    private const string PayoutCurrency = "MXN";

    /// <summary>
    /// Holds the funds and queues the payout: the answer is 202 with status PENDING; the bank settles
    /// it later (COMPLETED, funds leave) or rejects it (FAILED, funds released). To a destination whose holder
    /// matches a watch list, the payout waits for an analyst's review before it goes to the bank.
    /// </summary>
    public static async Task<JsonBody> Handle(Request request, HttpContext http, FinsoftDb db, MoneyEngine engine, PersonalData personal, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        var validation = new Validation().Required("origin_account_id", request.OriginAccountId)
            .Required("external_destination_account_id", request.ExternalDestinationAccountId).Optional("description", request.Description);
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        var origin = await db.OpenWallets().HeldBy(db, user.Id).AsNoTracking().FirstOrDefaultAsync(a => a.Id == request.OriginAccountId, ct);
        if (origin is null)
        {
            return LedgerError.OriginNotFound.ToProblem();
        }
        var destination = await db.DestinationAccounts.AsNoTracking().FirstOrDefaultAsync(d =>
            d.Id == request.ExternalDestinationAccountId && d.UserId == user.Id && d.DeletedAt == null, ct);
        if (destination is null)
        {
            return LedgerError.DestinationNotFound.ToProblem();
        }
        if (destination.VerificationStatus != VerificationStatus.Verified)
        {
            return LedgerError.DestinationNotVerified.ToProblem();
        }
        if (origin.Currency != PayoutCurrency)
        {
            return ApiResults.Unprocessable($"Withdrawals to CLABE accounts are paid in {PayoutCurrency}; this account holds {origin.Currency}");
        }
        if (validation.Amount("amount", request.Amount, Currency.Get(origin.Currency)) is not { } amount)
        {
            return validation.Result;
        }
        var shown = DestinationAccountDto.From(destination, await personal.KeyOfAsync(db, destination.UserId, ct));
        return await engine.SubmitAsync(new MoneyOrder(new MoneyCommand.Withdraw(origin.Id, amount),
            outcome => Movement.Render(outcome, user, StatusCodes.Status202Accepted, shown))
        {
            Initiator = user, Ticket = IdempotencyTicket.Of(http), MustHold = (origin.Id, LedgerError.OriginNotFound), Description = request.Description,
            ExternalDestinationId = destination.Id,
            ReviewReason = destination.ComplianceHold ? "The destination account's holder matches a watch list" : null,
        }, ct);
    }
}
