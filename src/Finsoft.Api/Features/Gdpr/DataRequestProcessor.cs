using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Audit;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.Features.Gdpr;

/// <summary>
/// Answers access and portability requests: claims one with a lease by a conditional update (so one node makes its export; a
/// node that dies leaves the lease to run out; a long export renews it), builds the export, and completes the request with it
/// in one statement, only under the lease that made it. Exports past their days are dropped, and the keys of erased people
/// whose legal hold has ended are destroyed.
/// </summary>
public sealed class DataRequestProcessor(IServiceScopeFactory scopes, DataExport exports, Erasure erasure, AuditTrail audit, IOptions<FinsoftOptions> options,
    TimeProvider time, ILogger<DataRequestProcessor> logger) : PollingWorker(time, logger)
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(10);

    protected override TimeSpan Interval => TimeSpan.FromMilliseconds(options.Value.Gdpr.PollMilliseconds);

    protected override async Task RunOnceAsync(CancellationToken ct)
    {
        while (await AnswerNextAsync(ct))
        {
        }
        await DropExpiredAsync(ct);
        await ShredDueAsync(ct);
    }

    public async Task<int> ShredDueAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await erasure.ShredDueAsync(scope.ServiceProvider.GetRequiredService<FinsoftDb>(), ct);
    }

    /// <summary>Deletes the exports past their days; returns how many.</summary>
    public async Task<int> DropExpiredAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FinsoftDb>();
        var now = Time.UtcNow();
        return await db.DataRequests.Where(r => r.ExportExpiresAt <= now && r.Export != null)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Export, (byte[]?)null).SetProperty(r => r.ExportBytes, (long?)null), ct);
    }

    /// <summary>Claims and answers one request; false when none is waiting.</summary>
    public async Task<bool> AnswerNextAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FinsoftDb>();
        var now = Time.UtcNow();
        var next = await db.DataRequests.AsNoTracking()
            .Where(r => r.Type == DataRequestType.Access || r.Type == DataRequestType.Portability)
            .Where(r => r.Status == DataRequestStatus.Received || (r.Status == DataRequestStatus.Processing && r.LeaseUntil < now))
            .OrderBy(r => r.CreatedAt).Select(r => new { r.Id, r.Status, r.LeaseUntil }).FirstOrDefaultAsync(ct);
        if (next is null)
        {
            return false;
        }
        var lease = now + Lease;
        if (await db.DataRequests.Where(r => r.Id == next.Id && r.Status == next.Status && r.LeaseUntil == next.LeaseUntil)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, DataRequestStatus.Processing).SetProperty(r => r.LeaseUntil, lease)
                    .SetProperty(r => r.UpdatedAt, now), ct) != 1)
        {
            return true; // another node took it: look for the next
        }
        var request = await db.DataRequests.WithoutExport().FirstAsync(r => r.Id == next.Id, ct);
        byte[] zip;
        try
        {
            zip = exports.Seal(await exports.BuildAsync(db, request, now, async token =>
            {
                // A big export renews its lease as it goes, so it is not taken over while it is being made.
                var renewed = Time.UtcNow() + Lease;
                if (await db.DataRequests.Where(r => r.Id == request.Id && r.LeaseUntil == lease)
                        .ExecuteUpdateAsync(s => s.SetProperty(r => r.LeaseUntil, renewed), token) != 1)
                {
                    throw new LeaseLostException();
                }
                lease = renewed;
            }, ct));
        }
        catch (LeaseLostException)
        {
            Logger.LogWarning("Data request {Id} was taken over by another node, or rejected; this one stops", request.Id);
            return true;
        }
        var done = Time.UtcNow();
        var expires = done.AddDays(options.Value.Gdpr.ExportDays);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var mine = await db.DataRequests.Where(r => r.Id == request.Id && r.Status == DataRequestStatus.Processing && r.LeaseUntil == lease)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, DataRequestStatus.Completed).SetProperty(r => r.Export, zip)
                .SetProperty(r => r.ExportBytes, zip.LongLength).SetProperty(r => r.ExportExpiresAt, expires).SetProperty(r => r.LeaseUntil, (DateTime?)null)
                .SetProperty(r => r.CompletedAt, done).SetProperty(r => r.UpdatedAt, done), ct);
        if (mine == 1)
        {
            // By the service itself: no actor.
            audit.Add(db, AuditEvents.DataRequestCompleted, null, request.UserId, new { request_id = request.Id, type = request.Type });
            await db.SaveChangesAsync(ct);
        }
        await transaction.CommitAsync(ct); // not ours any more (rejected, or taken over after the lease ran out): nothing changes
        return true;
    }

    private sealed class LeaseLostException() : Exception("The data request's lease passed to another node.");
}
