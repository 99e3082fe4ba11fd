using Finsoft.Api.Infrastructure.Ledger;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Infrastructure.Idempotency;

/// <summary>Deletes completed idempotency keys once they are older than the retention (the contract promises at least 24 hours).</summary>
public sealed class IdempotencyKeyExpiry(IServiceScopeFactory scopes, TimeProvider time, ILogger<IdempotencyKeyExpiry> logger) : BackgroundService
{
    public static readonly TimeSpan Retention = TimeSpan.FromHours(48);
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ExpireAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Expiring idempotency keys failed; will retry");
            }
            await Task.Delay(Interval, time, stoppingToken);
        }
    }

    public async Task<int> ExpireAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FinsoftDb>();
        var cutoff = time.UtcNow() - Retention;
        return await db.IdempotencyKeys.Where(k => k.CreatedAt < cutoff && k.StatusCode != null).ExecuteDeleteAsync(ct);
    }
}
