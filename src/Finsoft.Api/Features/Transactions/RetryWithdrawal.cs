using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Engine;
using Finsoft.Api.MoneyPath.Idempotency;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Transactions;

/// <summary>
/// Seed 001: a FAILED withdrawal goes back to PENDING and is sent again as a new instruction (a new
/// payout reference), with its funds held again. Completed transactions stay as they are.
/// </summary>
public static class RetryWithdrawal
{
    private static readonly string Withdrawal = TransactionLifecycle.Wire(TransactionType.Withdrawal);

    public static async Task<JsonBody> Handle(Guid id, HttpContext http, FinsoftDb db, MoneyEngine engine, CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        var withdrawal = await db.Transactions.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id && (user.IsAdmin || t.InitiatedBy == user.Id), ct);
        if (withdrawal is null)
        {
            return LedgerError.TransactionNotFound.ToProblem();
        }
        var status = TransactionLifecycle.ParseStatus(withdrawal.Status)!.Value;
        if (withdrawal.Type != Withdrawal || !TransactionLifecycle.CanMove(status, TransactionStatus.Pending))
        {
            return ApiResults.Conflict($"Only a FAILED withdrawal can be retried; this {withdrawal.Type} is {withdrawal.Status}.");
        }
        var destinationUsable = await db.DestinationAccounts.AnyAsync(d => d.Id == withdrawal.ExternalDestinationId && d.DeletedAt == null
            && d.VerificationStatus == VerificationStatus.Verified, ct);
        if (!destinationUsable)
        {
            return ApiResults.Conflict("The withdrawal's destination account is no longer registered and verified.");
        }
        return await engine.SubmitAsync(new MoneyOrder(new MoneyCommand.RetryPayout(withdrawal.Id, Guid.CreateVersion7()),
            outcome => Movement.Render(outcome, user, StatusCodes.Status202Accepted))
        {
            Initiator = user, Ticket = IdempotencyTicket.Of(http),
            // Its funds are held again on the wallet: the caller must still hold it (a revoked joint holder may not).
            MustHold = user.IsAdmin ? null : (withdrawal.OriginAccountId!.Value, LedgerError.TransactionNotFound),
        }, ct);
    }
}
