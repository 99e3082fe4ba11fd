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

    public static Task<Floor?> FloorAsync(FinsoftDb db, CancellationToken ct) =>
        db.LedgerArchives.AsNoTracking().OrderByDescending(a => a.Month)
            .Select(a => new Floor(a.CheckpointId, a.LastSequence, a.EffectiveThrough)).FirstOrDefaultAsync(ct);

    /// <summary>The posted sum of each of <paramref name="accounts"/> over the archived months (absent: nothing archived on it).</summary>
    public static async Task<Dictionary<Guid, long>> PostedAsync(FinsoftDb db, Floor? floor, IReadOnlyCollection<Guid> accounts, CancellationToken ct) =>
        floor is null
            ? []
            : await db.LedgerCheckpointAccounts.AsNoTracking().Where(a => a.CheckpointId == floor.CheckpointId && accounts.Contains(a.AccountId))
                .ToDictionaryAsync(a => a.AccountId, a => a.Posted, ct);

    /// <summary>
    /// Null when a balance or period starting at <paramref name="moment"/> can be told from what is live; otherwise why not. A
    /// posting archived may count at any time up to <see cref="Floor.EffectiveThrough"/>, so only later moments are whole.
    /// </summary>
    public static string? Refusal(Floor? floor, DateTime moment) =>
        floor?.EffectiveThrough is { } through && moment <= through
            ? $"The journal up to {through:O} is archived; ask for a moment after it."
            : null;
}

/// <summary>A balance or period was asked for inside the archived months: the client's 422, with <see cref="ArchivedHistory.Refusal"/>'s words.</summary>
public sealed class ArchivedHistoryException(string message) : Exception(message);
