using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.MoneyPath.Monitoring;

/// <summary>Deletes hourly activity counters older than monitoring's longest window (a day) with a day to spare; safe on every node.</summary>
public sealed class ActivityCounterExpiry(IServiceScopeFactory scopes, TimeProvider time, ILogger<ActivityCounterExpiry> logger) : PollingWorker(time, logger)
{
    public static readonly TimeSpan Retention = TimeSpan.FromHours(48);

    protected override TimeSpan Interval => TimeSpan.FromMinutes(30);

    protected override async Task RunOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var cutoff = Time.UtcNow() - Retention;
        await scope.ServiceProvider.GetRequiredService<FinsoftDb>().AccountActivity.Where(a => a.Hour < cutoff).ExecuteDeleteAsync(ct);
    }
}
