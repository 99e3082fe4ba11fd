using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Screening;
using Finsoft.Screening.Formats;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Aml;

/// <summary>
/// Watch lists in their published formats. Each load of a source is a new version with all its entries
/// (the previous version stays for the record); `ofac-alt-csv` adds OFAC's aliases to the source's latest
/// version instead.
/// </summary>
public static class Watchlists
{
    public const string OfacSdn = "ofac-sdn-csv";
    public const string OfacAlt = "ofac-alt-csv";
    public const string FtmJsonl = "ftm-jsonl";

    public sealed record VersionDto(string Source, int Version, string Format, int EntryCount, DateTime LoadedAt);

    /// <summary>Up to 200 MB: OFAC's and OpenSanctions' files are tens of megabytes.</summary>
    public const long MaxFileBytes = 200L * 1024 * 1024;

    public static async Task<JsonBody> Load([FromQuery] string? source, [FromQuery] string? format, HttpRequest http, ClaimsPrincipal principal,
        FinsoftDb db, UnitOfWork work, TimeProvider time, CancellationToken ct)
    {
        var validation = Check(source, format);
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        using var reader = new StreamReader(http.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(ct);
        var (loaded, problem) = await LoadAsync(db, work, source!.Trim(), format!, text, CurrentUser.From(principal).Id, time.UtcNow(), ct);
        return loaded is not null ? ApiResults.Created(loaded) : ApiResults.Unprocessable(problem!);
    }

    /// <summary>A list's source names it (up to 100 characters); its format is one this service reads.</summary>
    public static Validation Check(string? source, string? format)
    {
        var validation = new Validation().Required("source", source, maxLength: 100);
        if (format is not (OfacSdn or OfacAlt or FtmJsonl))
        {
            validation.Add("format", $"format must be {OfacSdn}, {OfacAlt} or {FtmJsonl}.");
        }
        return validation;
    }

    /// <summary>Parses and stores one file as the source's next version (or, for aliases, into its latest); a malformed file stores nothing.</summary>
    public static async Task<(VersionDto? Loaded, string? Problem)> LoadAsync(FinsoftDb db, UnitOfWork work, string source, string format, string text,
        Guid? by, DateTime now, CancellationToken ct)
    {
        if (format == OfacAlt)
        {
            return await AddAliasesAsync(db, work, source, text, now, ct);
        }
        IReadOnlyList<WatchlistEntry> entries;
        try
        {
            entries = format == FtmJsonl ? Finsoft.Screening.Formats.FtmJsonl.Read(new StringReader(text)) : OfacCsv.ReadSdn(new StringReader(text));
        }
        catch (FormatException e)
        {
            return (null, $"The file is not {format}: {e.Message}");
        }
        if (entries.Select(e => e.EntryId).Distinct(StringComparer.Ordinal).Count() != entries.Count)
        {
            return (null, "The file lists an entry id more than once.");
        }
        // Two loads of one source at once: the second meets the unique (source, version) and runs again as the next version.
        var stored = await work.RunAsync<VersionDto>(async ct =>
        {
            var previous = await db.WatchlistVersions.Where(v => v.Source == source).MaxAsync(v => (int?)v.Version, ct) ?? 0;
            var version = new WatchlistVersionRow
            {
                Id = Guid.CreateVersion7(), Source = source, Version = previous + 1, Format = format, EntryCount = entries.Count, LoadedAt = now, LoadedBy = by,
            };
            db.WatchlistVersions.Add(version);
            db.WatchlistEntries.AddRange(entries.Select(e => new WatchlistEntryRow
            {
                VersionId = version.Id, EntryId = e.EntryId, Kind = e.Kind, Names = JsonSerializer.Serialize(e.Names),
                BirthDates = JsonSerializer.Serialize(e.BirthDates), Countries = JsonSerializer.Serialize(e.Countries), Programs = e.Programs,
            }));
            await db.SaveChangesAsync(ct);
            return Dto(version);
        }, ct, alsoRetry: DatabaseSetup.IsUniqueViolation);
        return (stored.Value, null);
    }

    private static async Task<(VersionDto? Loaded, string? Problem)> AddAliasesAsync(FinsoftDb db, UnitOfWork work, string source, string text,
        DateTime now, CancellationToken ct)
    {
        try
        {
            var stored = await work.RunAsync<VersionDto?>(async ct =>
            {
                var latest = await db.WatchlistVersions.Where(v => v.Source == source).OrderByDescending(v => v.Version).FirstOrDefaultAsync(ct);
                if (latest is null)
                {
                    return (VersionDto?)null;
                }
                var rows = await db.WatchlistEntries.Where(e => e.VersionId == latest.Id).ToListAsync(ct);
                var withAliases = OfacCsv.AddAliases(rows.Select(WatchlistIndex.ToEntry).ToList(), new StringReader(text)).ToDictionary(e => e.EntryId);
                foreach (var row in rows)
                {
                    row.Names = JsonSerializer.Serialize(withAliases[row.EntryId].Names);
                }
                (latest.RescreenedAt, latest.RescreenClaimedAt) = (null, null); // everyone is screened against the new names
                latest.LoadedAt = now; // when its entries were last written: every node's index sees the change and is rebuilt
                await db.SaveChangesAsync(ct);
                return Dto(latest);
            }, ct);
            return stored.Value is { } loaded ? (loaded, null) : (null, $"Load the source's {OfacSdn} before its aliases.");
        }
        catch (FormatException e)
        {
            return (null, $"The file is not {OfacAlt}: {e.Message}");
        }
    }

    private static VersionDto Dto(WatchlistVersionRow v) => new(v.Source, v.Version, v.Format, v.EntryCount, v.LoadedAt);

    public static async Task<JsonBody> List(FinsoftDb db, CancellationToken ct)
    {
        var versions = await db.WatchlistVersions.AsNoTracking().OrderBy(v => v.Source).ThenByDescending(v => v.Version).ToListAsync(ct);
        return ApiResults.Ok(versions.Select(Dto).ToList());
    }
}
