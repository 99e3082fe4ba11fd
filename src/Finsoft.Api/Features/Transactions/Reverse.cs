using Finsoft.Api.Features.Accounts;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.MoneyPath.Idempotency;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Transactions;

public static class Reverse
{
    /// <summary>
    /// Seed 003: the receiver of a completed transfer (or an admin) sends it back, if the receiver
    /// still has the funds. The original stays COMPLETED and is marked reversed; the reversal is a
    /// transaction of its own. A transfer is reversed at most once, enforced by a conditional update.
    /// </summary>
    public static async Task<JsonBody> Handle(Guid id, HttpContext http, FinsoftDb db, UnitOfWork work, LedgerStore ledger,
        CancellationToken ct)
    {
        var user = CurrentUser.From(http.User);
        var original = await db.Transactions.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id, ct);
        var receiverOwns = original?.DestinationAccountId is { } receiving
            && await db.HoldsAsync(user.Id, receiving, ct);
        if (original is null || !(receiverOwns || user.IsAdmin))
        {
            return LedgerError.TransactionNotFound.ToProblem();
        }
        if (original.Type != TransactionLifecycle.Wire(TransactionType.Transfer) || original.Status != TransactionLifecycle.Wire(TransactionStatus.Completed))
        {
            return LedgerError.NotReversible.ToProblem();
        }
        if (original.ReversedById is not null)
        {
            return LedgerError.AlreadyReversed.ToProblem();
        }
        var (from, to) = (original.DestinationAccountId!.Value, original.OriginAccountId!.Value);
        var amount = new Money(original.Amount, Currency.Get(original.Currency));

        var result = await work.RunAsync<JsonBody>(async ct =>
        {
            var reversal = await ledger.RecordAsync(new NewTransaction(TransactionType.Reversal, TransactionStatus.Completed, amount, user.Id,
                $"Reversal of {original.Id}", OriginAccountId: from, DestinationAccountId: to, ReversalOfId: original.Id), ct);
            var marked = await db.Transactions.Where(t => t.Id == original.Id && t.ReversedById == null)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.ReversedById, reversal.Id).SetProperty(t => t.UpdatedAt, reversal.CreatedAt), ct);
            if (marked == 0)
            {
                return LedgerError.AlreadyReversed;
            }
            var refused = await ledger.PostAsync(reversal.Id, JournalEntry.Move(from, to, amount), ct);
            if (refused is not null)
            {
                return refused == from
                    ? LedgerError.ReceiverLacksFunds
                    : new LedgerError(LedgerErrorCode.NotReversible, "The original origin account is closed");
            }
            return await http.RespondWithinTransactionAsync(db, ApiResults.Created(await Transfer.MovementAsync(db, reversal, user, ct)), ct);
        }, ct);
        return result.ToResponse();
    }
}
