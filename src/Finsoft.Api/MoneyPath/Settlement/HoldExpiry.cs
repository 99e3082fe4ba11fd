using Finsoft.Api.Features.Transactions;
using Finsoft.Api.Host;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.MoneyPath.Settlement;

/// <summary>Releases two-phase transfers whose hold has lapsed. Safe on several nodes: each release is a conditional move out of PENDING.</summary>
public sealed class HoldExpiry(IServiceScopeFactory scopes, IOptions<FinsoftOptions> options, TimeProvider time, ILogger<HoldExpiry> logger)
    : PollingWorker(time, logger)
{
    private static readonly string Pending = TransactionLifecycle.Wire(TransactionStatus.Pending);

    protected override TimeSpan Interval => TimeSpan.FromMilliseconds(options.Value.Bank.PollMilliseconds);

    protected override async Task RunOnceAsync(CancellationToken ct) => await ExpireAsync(ct);

    /// <summary>One pass; returns how many holds it released.</summary>
    public async Task<int> ExpireAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FinsoftDb>();
        var work = scope.ServiceProvider.GetRequiredService<UnitOfWork>();
        var ledger = scope.ServiceProvider.GetRequiredService<LedgerStore>();
        var now = Time.UtcNow();
        var lapsed = await db.Transactions.AsNoTracking().Where(t => t.Status == Pending && t.ExpiresAt != null && t.ExpiresAt <= now)
            .OrderBy(t => t.ExpiresAt).Take(100).ToListAsync(ct);
        var released = 0;
        foreach (var hold in lapsed)
        {
            var result = await work.RunAsync<bool>(async ct => await Holds.ReleaseAsync(ledger, hold, Holds.ExpiredReason, ct) is { } error ? error : true, ct);
            released += result.IsSuccess ? 1 : 0; // refused: a capture or void got there first
        }
        return released;
    }
}
