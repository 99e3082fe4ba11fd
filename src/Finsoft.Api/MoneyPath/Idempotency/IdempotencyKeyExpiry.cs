using Finsoft.Api.Host;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.MoneyPath.Idempotency;

/// <summary>Deletes completed idempotency keys once they are older than the retention (the contract promises at least 24 hours).</summary>
public sealed class IdempotencyKeyExpiry(IServiceScopeFactory scopes, TimeProvider time, ILogger<IdempotencyKeyExpiry> logger)
    : PollingWorker(time, logger)
{
    public static readonly TimeSpan Retention = TimeSpan.FromHours(48);

    protected override TimeSpan Interval => TimeSpan.FromMinutes(10);

    protected override Task RunOnceAsync(CancellationToken ct) => ExpireAsync(ct);

    public async Task<int> ExpireAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FinsoftDb>();
        var cutoff = Time.UtcNow() - Retention;
        return await db.IdempotencyKeys.Where(k => k.CreatedAt < cutoff && k.StatusCode != null).ExecuteDeleteAsync(ct);
    }
}
