using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Engine;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.MoneyPath.Settlement;

/// <summary>
/// Releases two-phase transfers whose hold has lapsed, through the engine. Safe on several nodes: the
/// planner releases a hold only while it is still PENDING under lock, so a capture, a void or another
/// node's expiry that got there first leaves nothing to do.
/// </summary>
public sealed class HoldExpiry(IServiceScopeFactory scopes, MoneyEngine engine, IOptions<FinsoftOptions> options, TimeProvider time, ILogger<HoldExpiry> logger)
    : PollingWorker(time, logger)
{
    private static readonly string Pending = TransactionLifecycle.Wire(TransactionStatus.Pending);

    protected override TimeSpan Interval => TimeSpan.FromMilliseconds(options.Value.Bank.PollMilliseconds);

    protected override async Task RunOnceAsync(CancellationToken ct) => await ExpireAsync(ct);

    /// <summary>One pass; returns how many holds it released.</summary>
    public async Task<int> ExpireAsync(CancellationToken ct)
    {
        List<Guid> lapsed;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FinsoftDb>();
            var now = Time.UtcNow();
            // A hold whose review is open does not lapse meanwhile (the engine would refuse it, and it would crowd out the rest).
            lapsed = await db.Transactions.AsNoTracking().Where(t => t.Status == Pending && t.HeldAmount != null && t.ExpiresAt != null && t.ExpiresAt <= now)
                .Where(ReviewStatus.NotAwaited)
                .OrderBy(t => t.ExpiresAt).Select(t => t.Id).Take(100).ToListAsync(ct);
        }
        if (lapsed.Count == 0)
        {
            return 0;
        }
        var outcomes = await engine.RunAsync(lapsed.Select(id => (MoneyCommand)new MoneyCommand.Release(id, MoneyCommand.Release.Expired)).ToList(), ct);
        return outcomes.Count(o => o is MoneyOutcome.Made); // refused: a capture or void got there first
    }
}
