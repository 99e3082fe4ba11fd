using Finsoft.Api.MoneyPath.Store;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.MoneyPath.Settlement;

/// <summary>
/// The ledger's answer to the bank. Settled: the held funds leave the wallet (debit wallet, credit
/// bank settlement) and the hold is released, in one transaction. Rejected: the hold is released and
/// the withdrawal is FAILED. Each is a conditional move out of PROCESSING under the current payout
/// reference, so a repeated callback, or one about an attempt that a retry replaced, does nothing.
/// </summary>
public sealed class WithdrawalSettlement(FinsoftDb db, UnitOfWork work, LedgerStore ledger, SystemAccounts system)
    : IPayoutOutcomes
{
    private static readonly string Processing = TransactionLifecycle.Wire(TransactionStatus.Processing);

    public async Task SettledAsync(Guid reference, CancellationToken ct)
    {
        var withdrawal = await db.Transactions.AsNoTracking().FirstOrDefaultAsync(t => t.PayoutReference == reference, ct);
        if (withdrawal is null || withdrawal.Status != Processing)
        {
            return;
        }
        var currency = Currency.Get(withdrawal.Currency);
        var settlement = await system.EnsureAsync(SystemAccounts.BankSettlement, currency, ct);
        var wallet = withdrawal.OriginAccountId!.Value;
        var amount = new Money(withdrawal.Amount, currency);
        await work.RunAsync<bool>(async ct =>
        {
            if (!await ledger.MoveStatusAsync(withdrawal.Id, TransactionStatus.Processing, TransactionStatus.Completed, null, ct, payout: reference))
            {
                return false;
            }
            var refused = await ledger.PostAsync(withdrawal.Id, JournalEntry.Move(wallet, settlement, amount), ct, new AccountChange(wallet, 0, -amount.Minor));
            // The funds were held for exactly this, so a refusal here means the books are already wrong: stop loudly.
            return refused is null ? true : throw new InvalidOperationException($"Settling withdrawal {reference} was refused by account {refused}.");
        }, ct);
    }

    public async Task RejectedAsync(Guid reference, string reason, CancellationToken ct)
    {
        var withdrawal = await db.Transactions.AsNoTracking().FirstOrDefaultAsync(t => t.PayoutReference == reference, ct);
        if (withdrawal is null || withdrawal.Status != Processing)
        {
            return;
        }
        await work.RunAsync<bool>(async ct =>
        {
            if (!await ledger.MoveStatusAsync(withdrawal.Id, TransactionStatus.Processing, TransactionStatus.Failed, reason, ct, payout: reference))
            {
                return false;
            }
            var refused = await ledger.ApplyAsync([new AccountChange(withdrawal.OriginAccountId!.Value, 0, -withdrawal.Amount)], ct);
            return refused is null ? true : throw new InvalidOperationException($"Releasing the hold of withdrawal {reference} was refused.");
        }, ct);
    }
}
