using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.MoneyPath.Archiving;

/// <summary>
/// The journal's retention policy (PostgreSQL): every hour, each month that ended at least
/// <see cref="LedgerOptions.ArchiveMonthsOlderThan"/> months ago is archived by the service itself, oldest first, exactly as
/// an admin's request archives it (<see cref="JournalArchiver"/>: proven, checkpointed, detached, sealed). A month the archiver
/// refuses stays, with the reason logged, and is tried again the next hour. Off (0) unless configured.
/// </summary>
public sealed class JournalRetention(IServiceScopeFactory scopes, IOptions<FinsoftOptions> options, TimeProvider time, ILogger<JournalRetention> logger)
    : PollingWorker(time, logger)
{
    protected override TimeSpan Interval => TimeSpan.FromHours(1);

    protected override async Task RunOnceAsync(CancellationToken ct) => await ArchiveDueAsync(ct);

    /// <summary>Archives the months that are due, oldest first; returns how many it archived.</summary>
    public async Task<int> ArchiveDueAsync(CancellationToken ct)
    {
        var keep = options.Value.Ledger.ArchiveMonthsOlderThan;
        var archived = 0;
        while (keep > 0)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<FinsoftDb>();
            if (!db.Database.IsNpgsql())
            {
                break;
            }
            // The first entry is in the oldest month still in the journal (by the sequence index: each partition answers at once).
            var oldest = await db.JournalEntries.AsNoTracking().OrderBy(e => e.Sequence).Select(e => (DateTime?)e.CreatedAt).FirstOrDefaultAsync(ct);
            if (oldest is not { } first)
            {
                break;
            }
            var month = new DateOnly(first.Year, first.Month, 1);
            if (month.AddMonths(1 + keep).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc) > Time.GetUtcNow().UtcDateTime)
            {
                break;
            }
            var outcome = await scope.ServiceProvider.GetRequiredService<JournalArchiver>().ArchiveAsync(month, actor: null, ct);
            if (outcome.Archive is null)
            {
                Logger.LogWarning("The journal's retention policy could not archive {Month}: {Problem}", month.ToString("yyyy-MM"), outcome.Problem);
                break;
            }
            Logger.LogInformation("The journal's retention policy archived {Month}", month.ToString("yyyy-MM"));
            archived++;
        }
        return archived;
    }
}
