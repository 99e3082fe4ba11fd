using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Psd2;

/// <summary>
/// Moves consents whose last day has passed to `expired`. Access is refused from the first moment after that day whether or
/// not this has run (<see cref="ConsentGate"/> reads the date); the job makes the status say so. Safe on several nodes: the
/// update is conditional, so a second pass finds nothing.
/// </summary>
public sealed class ConsentExpiry(IServiceScopeFactory scopes, TimeProvider time, ILogger<ConsentExpiry> logger) : PollingWorker(time, logger)
{
    protected override TimeSpan Interval => TimeSpan.FromMinutes(1);

    protected override async Task RunOnceAsync(CancellationToken ct) => await ExpireAsync(ct);

    /// <summary>One pass; returns how many consents it expired.</summary>
    public async Task<int> ExpireAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FinsoftDb>();
        var today = ConsentGate.Today(Time);
        var now = Time.UtcNow();
        return await db.Consents.Where(c => (c.Status == ConsentStatus.Received || c.Status == ConsentStatus.Valid) && c.ValidUntil < today)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, ConsentStatus.Expired).SetProperty(c => c.StatusChangedAt, now), ct);
    }
}
