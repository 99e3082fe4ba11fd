using System.Text.Json;
using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.Features.ReportJobs;

/// <summary>
/// Turns each due occurrence of a schedule into one report job, however many nodes run this. A node claims an occurrence by
/// moving the schedule's <c>next_run_at</c> from that occurrence to the next with a conditional update, and inserts the job
/// in the same transaction; the unique (schedule, occurrence) index backs it up. A schedule that fell behind (every node
/// down) runs its latest missed occurrence once, not each one it missed.
/// </summary>
public sealed class ReportScheduler(IServiceScopeFactory scopes, IOptions<FinsoftOptions> options, TimeProvider time, ILogger<ReportScheduler> logger)
    : PollingWorker(time, logger)
{
    protected override TimeSpan Interval => TimeSpan.FromMilliseconds(options.Value.Reports.PollMilliseconds);

    protected override async Task RunOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FinsoftDb>();
        var now = Time.UtcNow();
        var due = await db.ReportSchedules.AsNoTracking().Where(s => s.DeletedAt == null && s.NextRunAt <= now).OrderBy(s => s.NextRunAt).Take(100).ToListAsync(ct);
        foreach (var schedule in due)
        {
            await ClaimAsync(db, schedule, now, ct);
        }
    }

    private async Task ClaimAsync(FinsoftDb db, ReportScheduleRow schedule, DateTime now, CancellationToken ct)
    {
        var cron = ReportSchedules.Parse(schedule.Cron, new Validation())!;
        var zone = ReportSchedules.ZoneOf(schedule.TimeZone, new Validation()) ?? TimeZoneInfo.Utc;
        var occurrence = schedule.NextRunAt!.Value;
        var next = ReportSchedules.Next(cron, zone, now);
        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var claimed = await db.ReportSchedules.Where(s => s.Id == schedule.Id && s.NextRunAt == occurrence && s.DeletedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.NextRunAt, next).SetProperty(x => x.LastRunAt, occurrence), ct);
        if (claimed != 1)
        {
            return; // another node claimed this occurrence
        }
        // The schedule's days are its zone's: a monthly report at 06:00 in Tokyo is of Tokyo's month before.
        var parameters = JsonSerializer.Deserialize<ReportParameters>(schedule.Parameters, Json.Options) ?? ReportParameters.None;
        var job = ReportJobs.New(schedule.Report, schedule.Format, Json.Serialize(parameters with { TimeZone = parameters.TimeZone ?? schedule.TimeZone }),
            schedule.CreatedBy, now);
        (job.ScheduleId, job.Occurrence) = (schedule.Id, occurrence);
        db.ReportJobs.Add(job);
        try
        {
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }
        catch (DbUpdateException e) when (DatabaseSetup.IsUniqueViolation(e))
        {
            Logger.LogWarning("Occurrence {Occurrence} of schedule {Schedule} already has its job", occurrence, schedule.Id);
        }
    }
}
