using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.MoneyPath.Idempotency;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Api.Infrastructure.Persistence;
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

    public static async Task<JsonBody> Handle(Guid id, HttpContext http, FinsoftDb db, UnitOfWork work, LedgerStore ledger, CancellationToken ct)
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
        var result = await work.RunAsync<JsonBody>(async ct =>
        {
            var newInstruction = Guid.CreateVersion7();
            if (!await ledger.MoveStatusAsync(id, TransactionStatus.Failed, TransactionStatus.Pending, null, ct,
                    alsoSet: s => s.SetProperty(t => t.PayoutReference, newInstruction)))
            {
                return new LedgerError(LedgerErrorCode.IllegalTransition, "The withdrawal is already being retried.");
            }
            if (await ledger.ApplyAsync([new AccountChange(withdrawal.OriginAccountId!.Value, 0, withdrawal.Amount)], ct) is not null)
            {
                return LedgerError.InsufficientFunds;
            }
            var row = await db.Transactions.AsNoTracking().SingleAsync(t => t.Id == id, ct);
            return await http.RespondWithinTransactionAsync(db, ApiResults.Accepted(await Transfer.MovementAsync(db, row, user, ct)), ct);
        }, ct);
        return result.ToResponse();
    }
}
