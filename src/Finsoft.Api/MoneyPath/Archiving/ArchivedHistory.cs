using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.MoneyPath.Archiving;

/// <summary>
/// What archiving took out of the live journal, as everything that sums postings needs it: the floor (the checkpoint at the
/// last archived entry, whose totals are kept for good) and the moment before which a balance can no longer be told.
/// </summary>
public static class ArchivedHistory
{
    /// <summary>The newest archived month's floor; null while nothing is archived.</summary>
    public sealed record Floor(Guid CheckpointId, long Sequence, DateTime? EffectiveThrough);

    /// <summary>
    /// The floor, once sure that a balance or period starting at <paramref name="moment"/> can be told from what is live: a
    /// posting archived may count at any time up to <see cref="Floor.EffectiveThrough"/>, so only later moments are whole, and an
    /// earlier one throws <see cref="ArchivedHistoryException"/> (a 422). Null while nothing is archived.
    /// </summary>
    public static async Task<Floor?> FloorFromAsync(FinsoftDb db, DateTime moment, CancellationToken ct)
    {
        var floor = await db.LedgerArchives.AsNoTracking().OrderByDescending(a => a.Month)
            .Select(a => new Floor(a.CheckpointId, a.LastSequence, a.EffectiveThrough)).FirstOrDefaultAsync(ct);
        return floor?.EffectiveThrough is { } through && moment <= through
            ? throw new ArchivedHistoryException($"The journal up to {through:O} is archived; ask for a moment after it.")
            : floor;
    }

    /// <summary>Each account's posted sum over the archived months (no row: nothing archived on it), to count beside the live postings.</summary>
    public static IQueryable<LedgerCheckpointAccountRow> Totals(FinsoftDb db, Floor floor) =>
        db.LedgerCheckpointAccounts.AsNoTracking().Where(a => a.CheckpointId == floor.CheckpointId);
}

/// <summary>A balance or period was asked for inside the archived months: the client's 422, with the moment it may start after.</summary>
public sealed class ArchivedHistoryException(string message) : Exception(message);
