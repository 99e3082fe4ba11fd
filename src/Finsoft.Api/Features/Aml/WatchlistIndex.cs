using System.Text.Json;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Screening;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Aml;

/// <summary>A list version a screening was made against.</summary>
public sealed record ListVersion(string Source, int Version);

/// <summary>
/// The latest version of every source, in memory as a <see cref="ScreeningIndex"/>. Each screening asks the
/// database which versions are latest and when each was last written (one small query) and the index is rebuilt
/// when that changed, here or on another node: a new version, or aliases added to the latest one.
/// </summary>
public sealed class WatchlistIndex
{
    private sealed record Built(ScreeningIndex Index, IReadOnlyList<ListVersion> Versions, HashSet<(Guid Id, DateTime LoadedAt)> Loads);

    private readonly SemaphoreSlim _rebuild = new(1, 1);
    private Built _current = new(new ScreeningIndex([]), [], []);

    public async Task<(ScreeningIndex Index, IReadOnlyList<ListVersion> Versions)> CurrentAsync(FinsoftDb db, CancellationToken ct)
    {
        var latest = await Latest(db).Select(v => new { v.Id, v.Source, v.Version, v.LoadedAt }).ToListAsync(ct);
        var loads = latest.Select(v => (v.Id, v.LoadedAt)).ToHashSet();
        if (!_current.Loads.SetEquals(loads))
        {
            await _rebuild.WaitAsync(ct);
            try
            {
                if (!_current.Loads.SetEquals(loads))
                {
                    var ids = latest.Select(v => v.Id).ToList();
                    var sources = latest.ToDictionary(v => v.Id, v => v.Source);
                    var rows = await db.WatchlistEntries.AsNoTracking().Where(e => ids.Contains(e.VersionId)).ToListAsync(ct);
                    var index = new ScreeningIndex(rows.Select(r => (sources[r.VersionId], ToEntry(r))));
                    _current = new Built(index, latest.Select(v => new ListVersion(v.Source, v.Version)).OrderBy(v => v.Source, StringComparer.Ordinal).ToList(), loads);
                }
            }
            finally
            {
                _rebuild.Release();
            }
        }
        var current = _current;
        return (current.Index, current.Versions);
    }

    public static IQueryable<WatchlistVersionRow> Latest(FinsoftDb db) =>
        db.WatchlistVersions.AsNoTracking().Where(v => v.Version == db.WatchlistVersions.Where(o => o.Source == v.Source).Max(o => o.Version));

    public static WatchlistEntry ToEntry(WatchlistEntryRow r) => new(r.EntryId, r.Kind, Strings(r.Names), Strings(r.BirthDates), Strings(r.Countries), r.Programs);

    private static List<string> Strings(string json) => JsonSerializer.Deserialize<List<string>>(json) ?? [];
}
