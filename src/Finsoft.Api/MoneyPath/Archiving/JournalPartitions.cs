using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.MoneyPath.Archiving;

/// <summary>
/// Keeps the journal's month partitions (PostgreSQL) made ahead of time: this month's and the next <see cref="MonthsAhead"/>, at
/// startup and every hour, so an entry always has its month's partition to go to. The default partitions catch an entry only
/// if that failed for months; a month whose rows sit there cannot get its partition, and is reported instead.
/// </summary>
public sealed class JournalPartitions(IServiceScopeFactory scopes, TimeProvider time, ILogger<JournalPartitions> logger) : PollingWorker(time, logger)
{
    public const int MonthsAhead = 2;

    protected override TimeSpan Interval => TimeSpan.FromHours(1);

    protected override async Task RunOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        await EnsureAsync(scope.ServiceProvider.GetRequiredService<FinsoftDb>(), Time.GetUtcNow().UtcDateTime, Logger, ct);
    }

    public static async Task EnsureAsync(FinsoftDb db, DateTime now, ILogger logger, CancellationToken ct)
    {
        if (!db.Database.IsNpgsql())
        {
            return;
        }
        var first = new DateOnly(now.Year, now.Month, 1);
        for (var month = first; month <= first.AddMonths(MonthsAhead); month = month.AddMonths(1))
        {
            var (start, next) = (month.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), month.AddMonths(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc));
            var stranded = await db.Database.SqlQuery<bool>($"""
                SELECT EXISTS (SELECT 1 FROM journal_entries_default WHERE created_at >= {start} AND created_at < {next})
                    OR EXISTS (SELECT 1 FROM postings_default WHERE created_at >= {start} AND created_at < {next}) AS "Value"
                """).SingleAsync(ct);
            if (stranded)
            {
                logger.LogError("Journal rows of {Month} are in the default partitions, so the month cannot have its own; move them out", month.ToString("yyyy-MM"));
                continue;
            }
            await db.Database.ExecuteSqlAsync($"SELECT ledger_ensure_month({month})", ct);
        }
    }
}
