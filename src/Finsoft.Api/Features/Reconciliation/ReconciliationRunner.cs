using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Ledger;
using Finsoft.Ledger.Reconciliation;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Reconciliation;

/// <summary>
/// Runs submitted reconciliations. Each is claimed with a lease by a conditional update, so one node runs it; a node that
/// dies leaves the lease to run out and another takes it (the statement is still stored). The result, its items and the
/// completed status commit together, only under the lease that ran it; the stored statement is then dropped. A run that
/// throws is marked failed with the reason, not retried for ever.
/// </summary>
public sealed class ReconciliationRunner(IServiceScopeFactory scopes, TimeProvider time, ILogger<ReconciliationRunner> logger) : PollingWorker(time, logger)
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(10);

    protected override TimeSpan Interval => TimeSpan.FromMilliseconds(200);

    protected override async Task RunOnceAsync(CancellationToken ct)
    {
        while (await RunNextAsync(ct))
        {
        }
    }

    /// <summary>Claims and runs one reconciliation; false when none is waiting.</summary>
    public async Task<bool> RunNextAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FinsoftDb>();
        var now = Time.UtcNow();
        var next = await db.Reconciliations.AsNoTracking()
            .Where(r => r.Status == ReconciliationStatus.Running && (r.LeaseUntil == null || r.LeaseUntil < now))
            .OrderBy(r => r.CreatedAt).Select(r => new { r.Id, r.LeaseUntil }).FirstOrDefaultAsync(ct);
        if (next is null)
        {
            return false;
        }
        var lease = now + Lease;
        if (await db.Reconciliations.Where(r => r.Id == next.Id && r.Status == ReconciliationStatus.Running && r.LeaseUntil == next.LeaseUntil)
                .ExecuteUpdateAsync(r => r.SetProperty(x => x.LeaseUntil, lease).SetProperty(x => x.Progress, 10), ct) != 1)
        {
            return true; // another node took it: look for the next
        }
        var row = await db.Reconciliations.AsNoTracking().FirstAsync(r => r.Id == next.Id, ct);
        try
        {
            var statement = Reconciliations.Read(row.Format, row.Statement ?? "", Currency.Get(row.Currency));
            if (!statement.IsSuccess)
            {
                await FinishAsync(db, row.Id, lease, ReconciliationStatus.Failed, 0, statement.Error!.Message, [], ct);
                return true;
            }
            var result = await Reconciliations.MatchAsync(db, statement.Value, new MatchRules(row.AmountTolerance, row.DateWindowDays), ct);
            await FinishAsync(db, row.Id, lease, ReconciliationStatus.Completed, result.Matches.Count, null, Reconciliations.ItemsOf(row.Id, result).ToList(), ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // What failed once fails again on the same statement: say so, rather than retry it every lease for ever.
            Logger.LogWarning(e, "Reconciliation {Id} failed", row.Id);
            db.ChangeTracker.Clear();
            await FinishAsync(db, row.Id, lease, ReconciliationStatus.Failed, 0, "The reconciliation could not be completed; submit the statement again.", [], ct);
        }
        return true;
    }

    /// <summary>
    /// Writes the outcome, its items and the status in one transaction, only while this node's lease stands: a run that outlived
    /// its lease and was taken over commits nothing.
    /// </summary>
    private async Task FinishAsync(FinsoftDb db, Guid id, DateTime lease, string status, int matched, string? failure, List<ReconciliationItemRow> items,
        CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var mine = await db.Reconciliations.Where(r => r.Id == id && r.Status == ReconciliationStatus.Running && r.LeaseUntil == lease).ExecuteUpdateAsync(r => r
            .SetProperty(x => x.Status, status).SetProperty(x => x.Progress, 100).SetProperty(x => x.MatchedCount, matched)
            .SetProperty(x => x.FailureReason, failure).SetProperty(x => x.Statement, (string?)null).SetProperty(x => x.CompletedAt, Time.UtcNow())
            .SetProperty(x => x.LeaseUntil, (DateTime?)null), ct);
        if (mine != 1)
        {
            await transaction.RollbackAsync(ct);
            return;
        }
        db.ReconciliationItems.AddRange(items);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
    }
}
