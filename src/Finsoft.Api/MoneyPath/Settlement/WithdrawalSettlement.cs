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

    private Task<TransactionRow?> InFlightAsync(Guid reference, CancellationToken ct) =>
        db.Transactions.AsNoTracking().FirstOrDefaultAsync(t => t.PayoutReference == reference && t.Status == "PROCESSING", ct);

    private async Task SubmitAsync(MoneyCommand command, CancellationToken ct)
    {
        var answer = await engine.SubmitAsync(PlatformOrder.Of(command), ct);
        if (answer.StatusCode >= 400)
        {
            // Only a repeated or outdated callback is refused in the normal course; anything else means the books need a look.
            logger.LogWarning("The bank's answer {Command} was refused: {Problem}", command, answer.Json);
        }
    }
}
