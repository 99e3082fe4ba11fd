using System.Text.Json;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Screening;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Aml;

/// <summary>A list version a screening was made against.</summary>
public sealed record ListVersion(string Source, int Version);

/// <summary>
/// The latest version of every source, in memory as a <see cref="ScreeningIndex"/>. Each screening asks the
/// database which versions are latest (one small query) and the index is rebuilt when that changed, here or
/// on another node.
/// </summary>
public sealed class WatchlistIndex
{
    private readonly SemaphoreSlim _rebuild = new(1, 1);
    private (ScreeningIndex Index, IReadOnlyList<ListVersion> Versions, HashSet<Guid> Ids) _current = (new ScreeningIndex([]), [], []);

    public async Task<(ScreeningIndex Index, IReadOnlyList<ListVersion> Versions)> CurrentAsync(FinsoftDb db, CancellationToken ct)
    {
        var latest = await Latest(db).Select(v => new { v.Id, v.Source, v.Version }).ToListAsync(ct);
        if (!_current.Ids.SetEquals(latest.Select(v => v.Id)))
        {
            await _rebuild.WaitAsync(ct);
            try
            {
                if (!_current.Ids.SetEquals(latest.Select(v => v.Id)))
                {
                    var ids = latest.Select(v => v.Id).ToList();
                    var sources = latest.ToDictionary(v => v.Id, v => v.Source);
                    var rows = await db.WatchlistEntries.AsNoTracking().Where(e => ids.Contains(e.VersionId)).ToListAsync(ct);
                    var index = new ScreeningIndex(rows.Select(r => (sources[r.VersionId], ToEntry(r))));
                    _current = (index, latest.Select(v => new ListVersion(v.Source, v.Version)).OrderBy(v => v.Source, StringComparer.Ordinal).ToList(), [.. ids]);
                }
            }
            finally
            {
                _rebuild.Release();
            }
        }
        return (_current.Index, _current.Versions);
    }

    public static IQueryable<WatchlistVersionRow> Latest(FinsoftDb db) =>
        db.WatchlistVersions.AsNoTracking().Where(v => v.Version == db.WatchlistVersions.Where(o => o.Source == v.Source).Max(o => o.Version));

    public static WatchlistEntry ToEntry(WatchlistEntryRow r) => new(r.EntryId, r.Kind, Strings(r.Names), Strings(r.BirthDates), Strings(r.Countries), r.Programs);

    private static List<string> Strings(string json) => JsonSerializer.Deserialize<List<string>>(json) ?? [];
}
