using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Aml;

/// <summary>
/// The compliance hold of a user or destination account: set while any of its watch-list matches is undecided or
/// confirmed. Whoever changes those reviews locks the entity's row first and sets the hold from what it then reads,
/// so two decisions about one person cannot leave a hold that no review backs.
/// </summary>
public static class ComplianceHolds
{
    /// <summary>Locks the entity's row until the transaction ends (SQLite's writer already holds the whole database).</summary>
    public static async Task LockAsync(FinsoftDb db, string? entityType, Guid? entityId, CancellationToken ct)
    {
        if (entityId is not { } id || !db.Database.IsNpgsql())
        {
            return;
        }
        _ = entityType switch
        {
            Screenings.User => await db.Database.SqlQuery<int>($"SELECT 1 AS \"Value\" FROM users WHERE id = {id} FOR UPDATE").ToListAsync(ct),
            Screenings.DestinationAccount => await db.Database.SqlQuery<int>($"SELECT 1 AS \"Value\" FROM destination_accounts WHERE id = {id} FOR UPDATE")
                .ToListAsync(ct),
            _ => [],
        };
    }

    public static Task<bool> HasHoldingReviewAsync(FinsoftDb db, Guid? entityId, CancellationToken ct) =>
        entityId is { } id
            ? db.Reviews.AnyAsync(r => r.EntityId == id && r.Kind == ReviewKind.ScreeningMatch && ReviewStatus.Holding.Contains(r.Status), ct)
            : Task.FromResult(false);

    /// <summary>Sets the hold on the entity: on the tracked row when it is new in this unit of work, else by an update.</summary>
    public static async Task SetAsync(FinsoftDb db, string entityType, Guid? entityId, bool held, CancellationToken ct)
    {
        switch (entityType)
        {
            case Screenings.User when db.Users.Local.FirstOrDefault(u => u.Id == entityId) is { } user:
                user.ComplianceHold = held;
                break;
            case Screenings.User:
                await db.Users.Where(u => u.Id == entityId).ExecuteUpdateAsync(s => s.SetProperty(u => u.ComplianceHold, held), ct);
                break;
            case Screenings.DestinationAccount when db.DestinationAccounts.Local.FirstOrDefault(d => d.Id == entityId) is { } destination:
                destination.ComplianceHold = held;
                break;
            case Screenings.DestinationAccount:
                await db.DestinationAccounts.Where(d => d.Id == entityId).ExecuteUpdateAsync(s => s.SetProperty(d => d.ComplianceHold, held), ct);
                break;
        }
    }
}
