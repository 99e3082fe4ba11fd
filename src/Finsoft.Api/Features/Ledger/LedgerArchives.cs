using System.Globalization;
using System.Security.Claims;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Archiving;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Ledger;

/// <summary>
/// Months archived out of the journal (<see cref="JournalArchiver"/>): an admin archives the oldest month still in it; the
/// list says which months left, what they held, and the tables they were detached as (to dump and drop).
/// </summary>
public static class LedgerArchives
{
    public sealed record CreateRequest(string? Month);

    public sealed record ArchiveDto(string Month, long FirstSequence, long LastSequence, long Entries, long Postings, DateTime? EffectiveThrough,
        Guid CheckpointId, string EntriesTable, string PostingsTable, Guid? ArchivedBy, DateTime ArchivedAt)
    {
        public static ArchiveDto From(LedgerArchiveRow a) => new(a.Month.ToString("yyyy-MM", CultureInfo.InvariantCulture), a.FirstSequence, a.LastSequence,
            a.Entries, a.Postings, a.EffectiveThrough, a.CheckpointId, a.EntriesTable, a.PostingsTable, a.ArchivedBy, a.ArchivedAt);
    }

    public static async Task<JsonBody> Create(CreateRequest? request, ClaimsPrincipal principal, JournalArchiver archiver, CancellationToken ct)
    {
        if (!DateOnly.TryParseExact(request?.Month, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out var month))
        {
            return new Validation().Add("month", "month is required, as YYYY-MM.").Result;
        }
        var outcome = await archiver.ArchiveAsync(month, CurrentUser.From(principal).Id, ct);
        return outcome.Archive is { } archive ? ApiResults.Created(ArchiveDto.From(archive)) : ApiResults.Problem(outcome.Status, outcome.Problem!);
    }

    /// <summary>Every archived month, oldest first: one row a month, so never more than a page.</summary>
    public static async Task<JsonBody> List(FinsoftDb db, CancellationToken ct) =>
        ApiResults.Ok((await db.LedgerArchives.AsNoTracking().OrderBy(a => a.Month).ToListAsync(ct)).Select(ArchiveDto.From).ToList());
}
