using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Engine;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.MoneyPath.Idempotency;

/// <summary>
/// The one idempotency store of the money path. Inside the engine's batch transaction it answers keys
/// already used (the stored bytes again, or 422 for a different request, or 409 for a key still claimed
/// or repeated in the batch), and stages each new response under its key, so key, fingerprint, response
/// and the money commit together or not at all.
/// </summary>
public sealed class IdempotencyStore(FinsoftDb db, TimeProvider time, IOptions<FinsoftOptions> options)
{
    /// <summary>Fills in the result of every order whose key has been seen; the others stay null, to be run.</summary>
    public async Task SettleAsync(IReadOnlyList<EngineJob> jobs, JsonBody?[][] results, CancellationToken ct)
    {
        var keyed = jobs.SelectMany(j => j.Orders).Select(o => o.Ticket).OfType<IdempotencyTicket>().ToList();
        if (keyed.Count == 0)
        {
            return;
        }
        var users = keyed.Select(t => t.UserId).Distinct().ToList();
        var names = keyed.Select(t => t.Key).Distinct().ToList();
        var stored = (await db.IdempotencyKeys.AsNoTracking().Where(k => users.Contains(k.UserId) && names.Contains(k.Key)).ToListAsync(ct))
            .ToDictionary(k => (k.UserId, k.Key));
        var seen = new HashSet<(Guid, string)>();
        var leaseEnded = time.UtcNow() - TimeSpan.FromSeconds(options.Value.IdempotencyLeaseSeconds);
        for (var n = 0; n < jobs.Count; n++)
        {
            for (var i = 0; i < jobs[n].Orders.Count; i++)
            {
                if (jobs[n].Orders[i].Ticket is not { } ticket)
                {
                    continue;
                }
                var id = (ticket.UserId, ticket.Key);
                if (!seen.Add(id))
                {
                    results[n][i] = IdempotentReplay.StillRunning;
                }
                else if (stored.TryGetValue(id, out var existing))
                {
                    results[n][i] = await AbandonedClaimTakenAsync(existing, ticket, leaseEnded, ct) ? null : IdempotentReplay.Of(existing, ticket.Fingerprint);
                }
            }
        }
    }

    /// <summary>Stages the response under the order's key, in the batch's transaction.</summary>
    public void Stage(IdempotencyTicket ticket, JsonBody body, DateTime now) => db.IdempotencyKeys.Add(new IdempotencyKeyRow
    {
        UserId = ticket.UserId, Key = ticket.Key, RequestHash = ticket.Fingerprint, ClaimToken = Guid.NewGuid(),
        ClaimedAt = now, CreatedAt = now, StatusCode = body.StatusCode, ResponseBody = body.Json,
    });

    /// <summary>
    /// A claim without a response, for the same request, whose lease has run out is what an older
    /// version left when its process died between claiming a key and committing: it is removed so this
    /// batch runs the request; the removal commits with the batch, or not at all.
    /// </summary>
    private async Task<bool> AbandonedClaimTakenAsync(IdempotencyKeyRow existing, IdempotencyTicket ticket, DateTime leaseEnded, CancellationToken ct) =>
        existing.StatusCode is null && existing.RequestHash == ticket.Fingerprint && existing.ClaimedAt < leaseEnded
        && await db.IdempotencyKeys.Where(k => k.UserId == existing.UserId && k.Key == existing.Key && k.ClaimToken == existing.ClaimToken && k.StatusCode == null)
            .ExecuteDeleteAsync(ct) == 1;
}
