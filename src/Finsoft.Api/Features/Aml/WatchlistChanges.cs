using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Screening;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Aml;

/// <summary>What a list version changed: the entries it lists that its source's previous version did not, or listed differently.</summary>
public static class WatchlistChanges
{
    public static async Task<List<WatchlistEntry>> SincePreviousAsync(FinsoftDb db, WatchlistVersionRow version, CancellationToken ct)
    {
        var entries = await db.WatchlistEntries.AsNoTracking().Where(e => e.VersionId == version.Id).ToListAsync(ct);
        var previousId = await db.WatchlistVersions.AsNoTracking().Where(v => v.Source == version.Source && v.Version < version.Version)
            .OrderByDescending(v => v.Version).Select(v => (Guid?)v.Id).FirstOrDefaultAsync(ct);
        var before = previousId is { } id
            ? await db.WatchlistEntries.AsNoTracking().Where(e => e.VersionId == id).ToDictionaryAsync(e => e.EntryId, StringComparer.Ordinal, ct)
            : [];
        return entries.Where(e => !before.TryGetValue(e.EntryId, out var old) || !SameListing(old, e)).Select(WatchlistIndex.ToEntry).ToList();
    }

    private static bool SameListing(WatchlistEntryRow a, WatchlistEntryRow b) =>
        a.Names == b.Names && a.BirthDates == b.BirthDates && a.Countries == b.Countries && a.Kind == b.Kind;
}
