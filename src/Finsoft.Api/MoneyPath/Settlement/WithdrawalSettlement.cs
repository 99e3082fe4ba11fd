using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Engine;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.MoneyPath.Settlement;

/// <summary>
/// The ledger's answer to the bank, through the engine. Settled: the held funds leave the wallet (debit
/// wallet, credit bank settlement) and the hold is released. Rejected: the hold is released and the
/// withdrawal is FAILED. The planner accepts either only while the withdrawal is PROCESSING under that
/// payout reference, so a repeated callback, or one about an attempt a retry replaced, does nothing.
/// </summary>
public sealed class WithdrawalSettlement(FinsoftDb db, MoneyEngine engine, SystemAccounts system, ILogger<WithdrawalSettlement> logger)
    : IPayoutOutcomes
{
    public async Task SettledAsync(Guid reference, CancellationToken ct)
    {
        if (await InFlightAsync(reference, ct) is not { } withdrawal)
        {
            return;
        }
        var settlement = await system.EnsureAsync(SystemAccounts.BankSettlement, Currency.Get(withdrawal.Currency), ct);
        await SubmitAsync(new MoneyCommand.SettlePayout(withdrawal.Id, reference, settlement), ct);
    }

    public async Task RejectedAsync(Guid reference, string reason, CancellationToken ct)
    {
        if (await InFlightAsync(reference, ct) is { } withdrawal)
        {
            await SubmitAsync(new MoneyCommand.RejectPayout(withdrawal.Id, reference, reason), ct);
        }
    }

    private static readonly string Processing = TransactionLifecycle.Wire(TransactionStatus.Processing);

    /// <summary>The withdrawal whose current attempt this is, if it is still waiting for the bank; the engine checks again under lock.</summary>
    private Task<TransactionRow?> InFlightAsync(Guid reference, CancellationToken ct) =>
        db.Transactions.AsNoTracking().FirstOrDefaultAsync(t => t.PayoutReference == reference && t.Status == Processing, ct);

    /// <summary>
    /// A repeated or outdated answer is refused as not in flight: nothing to do. Any other refusal means the
    /// books disagree with the bank, and the answer must not be dropped: it throws, so the bank's side keeps
    /// it unacknowledged and calls again, and the warning asks for someone to look.
    /// </summary>
    private async Task SubmitAsync(MoneyCommand command, CancellationToken ct)
    {
        var outcome = (await engine.RunAsync([command], ct))[0];
        if (outcome is MoneyOutcome.Refused { Error: var error } && error != MoneyRules.PayoutNotInFlight)
        {
            logger.LogWarning("The bank's answer {Command} was refused: {Error}", command, error.Message);
            throw new InvalidOperationException($"The ledger refused the bank's answer {command}: {error.Message}");
        }
    }
}
