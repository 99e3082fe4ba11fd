using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Outbox;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Risk;

/// <summary>
/// Keeps customers' risk ratings current from the outbox: each money event touches the owners of its accounts, and each
/// of them is rated again unless rated in the last <see cref="MinimumAge"/> (a busy account would otherwise be rated on
/// every event). The engine reads the level the rating leaves on the user.
/// </summary>
public sealed class CustomerRiskRefresh(IServiceScopeFactory scopes, TimeProvider time) : IEventConsumer
{
    public static readonly TimeSpan MinimumAge = TimeSpan.FromMinutes(1);

    public string Name => "customer-risk";

    public bool ReadsData => false;

    public async Task HandleAsync(IReadOnlyList<EventRow> events, CancellationToken ct)
    {
        var accounts = events.SelectMany(e => new[] { e.OriginAccountId, e.DestinationAccountId }).OfType<Guid>().Distinct().ToList();
        if (accounts.Count == 0)
        {
            return;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FinsoftDb>();
        var risk = scope.ServiceProvider.GetRequiredService<CustomerRisk>();
        var owners = await db.Accounts.AsNoTracking().Where(a => accounts.Contains(a.Id) && a.UserId != null).Select(a => a.UserId!.Value).Distinct().ToListAsync(ct);
        // One read for the whole page says who was rated recently: a page of a busy minute names the same few owners.
        var since = time.UtcNow() - MinimumAge;
        var fresh = await db.CustomerRisks.AsNoTracking().Where(r => owners.Contains(r.UserId) && r.UpdatedAt > since).Select(r => r.UserId).ToListAsync(ct);
        foreach (var owner in owners.Except(fresh))
        {
            await risk.RecomputeAsync(owner, ct);
        }
    }
}
