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
public sealed class JournalRetention(IServiceScopeFactory scopes, IOptions<FinsoftOptions> options, DatabaseTarget target, TimeProvider time,
    ILogger<JournalRetention> logger) : PollingWorker(time, logger)
{
    protected override TimeSpan Interval => TimeSpan.FromHours(1);

    protected override async Task RunOnceAsync(CancellationToken ct) => await ArchiveDueAsync(ct);

    /// <summary>Archives the months that are due, oldest first; returns how many it archived.</summary>
    public async Task<int> ArchiveDueAsync(CancellationToken ct)
    {
        var keep = options.Value.Ledger.ArchiveMonthsOlderThan;
        if (keep <= 0 || target.Provider != DatabaseProvider.Postgres)
        {
            return 0; // SQLite keeps its whole journal
        }
        var archived = 0;
        while (await DueMonthAsync(keep, ct) is { } month)
        {
            await using var scope = scopes.CreateAsyncScope();
            var outcome = await scope.ServiceProvider.GetRequiredService<JournalArchiver>().ArchiveAsync(month, actor: null, ct);
            if (outcome.Archive is null)
            {
                Logger.LogWarning("The journal's retention policy could not archive {Month}: {Problem}", $"{month:yyyy-MM}", outcome.Problem);
                break;
            }
            Logger.LogInformation("The journal's retention policy archived {Month}", $"{month:yyyy-MM}");
            archived++;
        }
        return archived;
    }

    /// <summary>The oldest month still in the journal, if it ended at least <paramref name="keep"/> months ago.</summary>
    private async Task<DateOnly?> DueMonthAsync(int keep, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        // The first entry is in the oldest month (read by the sequence index: each partition answers at once).
        var first = await scope.ServiceProvider.GetRequiredService<FinsoftDb>().JournalEntries.AsNoTracking().OrderBy(e => e.Sequence)
            .Select(e => (DateTime?)e.CreatedAt).FirstOrDefaultAsync(ct);
        if (first is not { } recorded)
        {
            return null;
        }
        var month = new DateOnly(recorded.Year, recorded.Month, 1);
        return month.AddMonths(1 + keep).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc) <= Time.GetUtcNow().UtcDateTime ? month : null;
    }
}
