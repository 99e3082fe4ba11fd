using Finsoft.Api.Host;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.Infrastructure.Security;
using Finsoft.Api.MoneyPath.Outbox;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.MoneyPath.Settlement;

/// <summary>
/// Moves withdrawals through the bank: claims PENDING ones (PENDING → PROCESSING, a conditional
/// update, so one node wins), sends them to the connector, and resends PROCESSING ones that have had
/// no answer for a while (after a crash, say): the connector pays each reference once. A withdrawal held for a
/// compliance review is not sent until an analyst approves it, nor one whose owner or destination is under a
/// compliance hold (it waits, funds held, until the hold is lifted).
/// </summary>
public sealed class WithdrawalProcessor(IServiceScopeFactory scopes, IOptions<FinsoftOptions> options, TimeProvider time,
    ILogger<WithdrawalProcessor> logger) : PollingWorker(time, logger)
{
    private static readonly TimeSpan ResendAfter = TimeSpan.FromSeconds(5);
    private static readonly string Withdrawal = TransactionLifecycle.Wire(TransactionType.Withdrawal);
    private static readonly string Pending = TransactionLifecycle.Wire(TransactionStatus.Pending);
    private static readonly string Processing = TransactionLifecycle.Wire(TransactionStatus.Processing);

    private static readonly LedgerError TakenElsewhere = new(LedgerErrorCode.IllegalTransition, "Another node claimed the withdrawal first.");

    private bool _resentAfterStart;

    protected override TimeSpan Interval => TimeSpan.FromMilliseconds(options.Value.Bank.PollMilliseconds);

    protected override async Task RunOnceAsync(CancellationToken ct)
    {
        await ProcessAsync(resendAll: !_resentAfterStart, ct);
        _resentAfterStart = true;
    }

    /// <summary>One pass. On start-up every PROCESSING withdrawal is resent, since this process may have died before sending it.</summary>
    public async Task ProcessAsync(bool resendAll, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FinsoftDb>();
        var bank = scope.ServiceProvider.GetRequiredService<IBankConnector>();
        var personal = scope.ServiceProvider.GetRequiredService<PersonalData>();
        var now = Time.UtcNow();
        var staleBefore = resendAll ? DateTime.MaxValue : now - ResendAfter;

        var pending = await db.Transactions.AsNoTracking()
            .Where(t => t.Type == Withdrawal && (t.Status == Pending || (t.Status == Processing && t.UpdatedAt < staleBefore)))
            .Where(ReviewStatus.NotAwaited)
            // Nor one whose owner came under review since, or whose payee did (unless an analyst approved this very payout).
            .Where(t => !db.Accounts.Any(a => a.Id == t.OriginAccountId && db.Users.Any(u => u.Id == a.UserId && u.ComplianceHold))
                && (t.ReviewStatus == ReviewStatus.Approved || !db.DestinationAccounts.Any(d => d.Id == t.ExternalDestinationId && d.ComplianceHold)))
            .OrderBy(t => t.CreatedAt).Take(50).ToListAsync(ct);
        foreach (var withdrawal in pending)
        {
            if (!await ClaimAsync(scope.ServiceProvider, withdrawal, ct))
            {
                continue; // another node has it
            }
            var destination = await db.DestinationAccounts.AsNoTracking().SingleAsync(d => d.Id == withdrawal.ExternalDestinationId, ct);
            // A payout already under way is a duty that outlives an erasure (which waits for it anyway): read under the hold.
            var key = await personal.KeyOfAsync(db, destination.UserId, ct);
            await bank.SubmitPayoutAsync(new PayoutInstruction(withdrawal.PayoutReference ?? withdrawal.Id, key.OpenUnderHold(destination.AccountNumber),
                key.OpenUnderHold(destination.HolderFullName), withdrawal.Amount, withdrawal.Currency), ct);
        }
    }

    /// <summary>
    /// Takes the withdrawal to PROCESSING if it is still as read (one conditional update, so one node
    /// wins); the first send of an attempt is announced as `withdrawal.sent` in the same transaction.
    /// </summary>
    private async Task<bool> ClaimAsync(IServiceProvider services, TransactionRow withdrawal, CancellationToken ct)
    {
        var db = services.GetRequiredService<FinsoftDb>();
        var ledger = services.GetRequiredService<LedgerStore>();
        var (previousStatus, previousUpdate) = (withdrawal.Status, withdrawal.UpdatedAt);
        var result = await services.GetRequiredService<UnitOfWork>().RunAsync<bool>(async ct =>
        {
            var now = Time.UtcNow();
            var claimed = await db.Transactions
                .Where(t => t.Id == withdrawal.Id && t.Status == previousStatus && t.UpdatedAt == previousUpdate)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, Processing).SetProperty(t => t.UpdatedAt, now)
                    .SetProperty(t => t.Attempts, t => t.Attempts + 1), ct);
            if (claimed == 0)
            {
                return TakenElsewhere;
            }
            if (previousStatus == Pending)
            {
                var sent = await db.Transactions.AsNoTracking().SingleAsync(t => t.Id == withdrawal.Id, ct);
                await ledger.AppendAsync([], [], [PendingEvent.About(EventTypes.WithdrawalSent, sent)], ct);
            }
            return true;
        }, ct);
        return result.IsSuccess;
    }
}
