using System.Text.Json;
using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Outbox;
using Finsoft.Api.MoneyPath.Store;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.Features.ReportJobs;

/// <summary>
/// Renders queued report jobs. Each is claimed with a lease by a conditional update, so one node makes it; a node that dies
/// leaves the lease to run out and another starts it again. The file, the completed status and the <c>report.completed</c>
/// event (which webhooks deliver) commit together, only under the lease that made them. Files are dropped once they expire.
/// </summary>
public sealed class ReportRunner(IServiceScopeFactory scopes, IOptions<FinsoftOptions> options, TimeProvider time, ILogger<ReportRunner> logger)
    : PollingWorker(time, logger)
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(10);

    protected override TimeSpan Interval => TimeSpan.FromMilliseconds(options.Value.Reports.PollMilliseconds);

    protected override async Task RunOnceAsync(CancellationToken ct)
    {
        while (await RunNextAsync(ct))
        {
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FinsoftDb>();
        var now = Time.UtcNow();
        await db.ReportJobs.Where(j => j.ExpiresAt < now && j.Content != null).ExecuteUpdateAsync(j => j.SetProperty(x => x.Content, (byte[]?)null), ct);
    }

    /// <summary>Claims and renders one job; false when none is waiting.</summary>
    public async Task<bool> RunNextAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FinsoftDb>();
        var now = Time.UtcNow();
        var next = await db.ReportJobs.AsNoTracking()
            .Where(j => j.Status == ReportJobStatus.Queued || (j.Status == ReportJobStatus.Running && j.LeaseUntil < now))
            .OrderBy(j => j.CreatedAt).Select(j => new { j.Id, j.Status, j.LeaseUntil }).FirstOrDefaultAsync(ct);
        if (next is null)
        {
            return false;
        }
        var lease = now + Lease; // renewed as the report progresses
        if (await db.ReportJobs.Where(j => j.Id == next.Id && j.Status == next.Status && j.LeaseUntil == next.LeaseUntil)
                .ExecuteUpdateAsync(j => j.SetProperty(x => x.Status, ReportJobStatus.Running).SetProperty(x => x.LeaseUntil, lease)
                    .SetProperty(x => x.Progress, 10), ct) != 1)
        {
            return true; // another node took it: look for the next
        }
        var job = await db.ReportJobs.AsNoTracking().FirstAsync(j => j.Id == next.Id, ct);
        try
        {
            var parameters = JsonSerializer.Deserialize<ReportParameters>(job.Parameters, Json.Options) ?? ReportParameters.None;
            var file = await ReportCatalog.RenderAsync(job.Report, job.Format, parameters, job.Occurrence ?? now, scope.ServiceProvider, async progress =>
            {
                // Progress renews the lease, so a long report is not taken over while it is being made.
                var renewed = Time.UtcNow() + Lease;
                if (await db.ReportJobs.Where(j => j.Id == job.Id && j.LeaseUntil == lease)
                        .ExecuteUpdateAsync(j => j.SetProperty(x => x.Progress, progress).SetProperty(x => x.LeaseUntil, renewed), ct) != 1)
                {
                    throw new LeaseLostException();
                }
                lease = renewed;
            }, ct);
            await FinishAsync(scope.ServiceProvider, job, lease, file, null, ct);
        }
        catch (LeaseLostException)
        {
            Logger.LogWarning("Report job {Id} was taken over by another node; this one stops", job.Id);
        }
        catch (System.Data.Common.DbException e)
        {
            // The database, not the report: the lease runs out and a node tries again.
            Logger.LogWarning(e, "Report job {Id} stopped on a database error; it will be tried again", job.Id);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // What failed once fails again on the same parameters: say so, rather than retry it every lease for ever.
            if (e is not ReportRefusedException)
            {
                Logger.LogWarning(e, "Report job {Id} failed", job.Id);
            }
            db.ChangeTracker.Clear();
            await FinishAsync(scope.ServiceProvider, job, lease, null, e is ReportRefusedException ? e.Message : "The report could not be made; ask for it again.", ct);
        }
        return true;
    }

    private sealed class LeaseLostException() : Exception("The report job's lease passed to another node.");

    private async Task FinishAsync(IServiceProvider services, ReportJobRow job, DateTime lease, ReportFile? file, string? failure, CancellationToken ct)
    {
        var db = services.GetRequiredService<FinsoftDb>();
        var now = Time.UtcNow();
        var expires = file is null ? (DateTime?)null : now.AddDays(options.Value.Reports.KeepDays);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var mine = await db.ReportJobs.Where(j => j.Id == job.Id && j.Status == ReportJobStatus.Running && j.LeaseUntil == lease).ExecuteUpdateAsync(j => j
            .SetProperty(x => x.Status, file is null ? ReportJobStatus.Failed : ReportJobStatus.Completed).SetProperty(x => x.Progress, 100)
            .SetProperty(x => x.Content, file == null ? null : file.Content).SetProperty(x => x.ContentType, file == null ? null : file.ContentType)
            .SetProperty(x => x.FileName, file == null ? null : file.FileName).SetProperty(x => x.SizeBytes, file == null ? null : file.Content.LongLength)
            .SetProperty(x => x.FailureReason, failure).SetProperty(x => x.CompletedAt, now).SetProperty(x => x.ExpiresAt, expires)
            .SetProperty(x => x.LeaseUntil, (DateTime?)null), ct);
        if (mine != 1)
        {
            return; // the lease ran out and another node took the job over: its outcome is the one that stands
        }
        var finished = await db.ReportJobs.AsNoTracking().FirstAsync(j => j.Id == job.Id, ct);
        var data = Json.Serialize(ReportJobs.JobDto.From(finished));
        await services.GetRequiredService<LedgerStore>().AppendAsync([], [],
            [new PendingEvent(file is null ? EventTypes.ReportFailed : EventTypes.ReportCompleted, null, null, data)], ct);
        await transaction.CommitAsync(ct);
    }
}
