using System.Text.Json;
using Finsoft.Api.Features.Ledger;
using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.MoneyPath.Verification;

/// <summary>
/// Runs verification jobs. A job is claimed with a lease by a conditional update; it proves the chain a page at a time and
/// keeps its place (sequence and hash) after each page, renewing the lease, so a node that stops leaves a job another node
/// resumes where it was. At its target it writes a checkpoint, with the accounts checked against their balances in the
/// same snapshot, and finishes, all only under the lease it holds. When the journal has grown by
/// <see cref="LedgerOptions.CheckpointEveryEntries"/> since the latest checkpoint, it asks itself for an incremental one, so
/// that ledger/verify always has little to prove.
/// </summary>
public sealed class LedgerVerificationRunner(IServiceScopeFactory scopes, IOptions<FinsoftOptions> options, TimeProvider time,
    ILogger<LedgerVerificationRunner> logger) : PollingWorker(time, logger)
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    /// <summary>For the last step, which sums the postings once: long enough for a hundred million of them.</summary>
    private static readonly TimeSpan FinalLease = TimeSpan.FromMinutes(30);
    private const int EntriesPerStep = 20_000;

    protected override TimeSpan Interval => TimeSpan.FromMilliseconds(options.Value.Ledger.VerificationPollMilliseconds);

    protected override async Task RunOnceAsync(CancellationToken ct)
    {
        while (await RunNextAsync(ct))
        {
        }
        await AskForCheckpointIfDueAsync(ct);
    }

    /// <summary>Claims one waiting job (or one whose node stopped) and runs it to its end; false when none is waiting.</summary>
    public async Task<bool> RunNextAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FinsoftDb>();
        var now = Time.UtcNow();
        var next = await db.LedgerVerifications.AsNoTracking()
            .Where(v => v.Status == LedgerVerificationStatus.Queued || (v.Status == LedgerVerificationStatus.Running && v.LeaseUntil < now))
            .OrderBy(v => v.CreatedAt).Select(v => new { v.Id, v.Status, v.LeaseUntil }).FirstOrDefaultAsync(ct);
        if (next is null)
        {
            return false;
        }
        var lease = now + Lease;
        if (await db.LedgerVerifications.Where(v => v.Id == next.Id && v.Status == next.Status && v.LeaseUntil == next.LeaseUntil)
                .ExecuteUpdateAsync(v => v.SetProperty(x => x.Status, LedgerVerificationStatus.Running).SetProperty(x => x.LeaseUntil, lease)
                    .SetProperty(x => x.StartedAt, x => x.StartedAt ?? now), ct) != 1)
        {
            return true; // another node took it
        }
        try
        {
            await RunAsync(scope.ServiceProvider, next.Id, lease, ct);
        }
        catch (LeaseLostException)
        {
            Logger.LogWarning("Ledger verification {Id} was taken over by another node; this one stops", next.Id);
        }
        return true;
    }

    private async Task RunAsync(IServiceProvider services, Guid id, DateTime lease, CancellationToken ct)
    {
        var db = services.GetRequiredService<FinsoftDb>();
        var chain = services.GetRequiredService<ChainWalk>();
        var checkpoints = services.GetRequiredService<LedgerCheckpoints>();
        var seal = services.GetRequiredService<LedgerSeal>();
        var job = await db.LedgerVerifications.AsNoTracking().FirstAsync(v => v.Id == id, ct);
        if (!seal.HoldsProgress(job))
        {
            // Its base, kind or saved place was written behind the API (a place moved forward would skip what lies before it).
            await FinishAsync(db, id, lease, ["This verification's saved progress does not carry the ledger's seal: it was written or changed behind " +
                "the API; ask for a verification again."], firstBroken: null, checkpointId: null, ct, booksWrong: false);
            return;
        }
        var baseCheckpoint = job.BaseCheckpointId is { } baseId ? await db.LedgerCheckpoints.AsNoTracking().FirstAsync(c => c.Id == baseId, ct) : null;
        if (baseCheckpoint is not null && job.VerifiedSequence == job.BaseSequence && await checkpoints.AnchorProblemAsync(baseCheckpoint, ct) is { } anchor)
        {
            await FinishAsync(db, id, lease, [anchor], firstBroken: baseCheckpoint.Sequence, checkpointId: null, ct);
            return;
        }
        if (await checkpoints.ArchiveFloorAsync(ct) is { } floor && job.VerifiedSequence < floor.Sequence)
        {
            await FinishAsync(db, id, lease, [$"Entries up to {floor.Sequence} were archived after this verification was asked for; ask for it again."],
                firstBroken: null, checkpointId: null, ct, booksWrong: false);
            return;
        }
        var position = new ChainWalk.Position(job.VerifiedSequence, job.VerifiedHash);
        while (position.Sequence < job.TargetSequence)
        {
            var step = await chain.WalkAsync(position, job.TargetSequence, EntriesPerStep, ct);
            if (step.Broken is { } broken)
            {
                await FinishAsync(db, id, lease, [broken.Describe()], broken.Sequence, checkpointId: null, ct);
                return;
            }
            position = step.Reached;
            lease = await KeepPlaceAsync(db, seal, job, lease, position, Lease, ct);
        }
        if (position.Sequence == 0)
        {
            await FinishAsync(db, id, lease, [], firstBroken: null, checkpointId: null, ct); // an empty journal: nothing to stand on
            return;
        }
        if (baseCheckpoint is not null && !await checkpoints.HasTotalsAsync(baseCheckpoint, ct))
        {
            await FinishAsync(db, id, lease, [$"The checkpoint at entry {baseCheckpoint.Sequence} this verification started from no longer has its " +
                "totals (newer checkpoints replaced it); ask for the verification again."], firstBroken: null, checkpointId: null, ct,
                booksWrong: false);
            return;
        }

        // The accounts and the checkpoint, in one snapshot of the journal and the balances; the checkpoint only if they agree.
        // Summing every posting of a large ledger takes a while: the lease and the command timeout allow for it.
        lease = await KeepPlaceAsync(db, seal, job, lease, position, FinalLease, ct);
        db.Database.SetCommandTimeout(FinalLease);
        await using var snapshot = await LedgerVerifier.BeginWritingSnapshotAsync(db, ct);
        var checkpoint = await checkpoints.WriteAsync(baseCheckpoint, position, fullProof: job.Kind == LedgerVerificationKind.Full,
            Time.UtcNow(), ct);
        var check = await checkpoints.CheckAsync(checkpoint, ct);
        // The new totals are the base's plus what came since: they are only as good as the base, which must still be what was
        // sealed (if not, only it and what stood on it are revoked). And what the walk proved must still run on to the sealed
        // head, or it could be a chain rewritten with its hashes (that revokes nothing: the head's seal is reported everywhere).
        var untrusted = baseCheckpoint is null ? null : checkpoints.TrustProblem(baseCheckpoint, await checkpoints.HashOfTotalsAsync(baseCheckpoint, ct));
        var unsealed = await services.GetRequiredService<SealedChain>().ProblemAfterAsync(position, toCheckpoint: false, ct);
        if (check.Problems.Count > 0 || untrusted is not null || unsealed is not null)
        {
            await snapshot.RollbackAsync(ct);
            db.ChangeTracker.Clear();
            List<string> problems = [.. check.Problems, .. new[] { untrusted, unsealed }.OfType<string>()];
            await FinishAsync(db, id, lease, problems, firstBroken: untrusted is null ? null : baseCheckpoint!.Sequence, checkpointId: null, ct,
                booksWrong: check.Problems.Count > 0 || untrusted is not null);
            return;
        }
        await checkpoints.SealAsync(checkpoint, check.TotalsHash, ct);
        await checkpoints.PruneTotalsAsync(checkpoint.Id, ct);
        await FinishAsync(db, id, lease, [], firstBroken: null, checkpoint.Id, ct);
        await snapshot.CommitAsync(ct);
        Logger.LogInformation("Ledger verification {Id} ({Kind}) proved entries {From} to {To}", id, job.Kind, job.BaseSequence + 1, position.Sequence);
    }

    /// <summary>Saves how far the job got, sealed, and renews its lease, both only if the lease is still this node's.</summary>
    private async Task<DateTime> KeepPlaceAsync(FinsoftDb db, LedgerSeal seal, LedgerVerificationRow job, DateTime lease, ChainWalk.Position position,
        TimeSpan length, CancellationToken ct)
    {
        var renewed = Time.UtcNow() + length;
        (job.VerifiedSequence, job.VerifiedHash) = (position.Sequence, position.Hash);
        var sealedPlace = seal.Seal(LedgerSeal.ProgressStatement(job));
        if (await db.LedgerVerifications.Where(v => v.Id == job.Id && v.LeaseUntil == lease).ExecuteUpdateAsync(v => v
                .SetProperty(x => x.VerifiedSequence, position.Sequence).SetProperty(x => x.VerifiedHash, position.Hash)
                .SetProperty(x => x.Seal, sealedPlace).SetProperty(x => x.LeaseUntil, renewed), ct) != 1)
        {
            throw new LeaseLostException();
        }
        return renewed;
    }

    /// <param name="booksWrong">The problems are in the books (not an operational reason the job could not finish): revoke what stood on them.</param>
    private async Task FinishAsync(FinsoftDb db, Guid id, DateTime lease, List<string> problems, long? firstBroken, Guid? checkpointId, CancellationToken ct,
        bool booksWrong = true)
    {
        var now = Time.UtcNow();
        var json = problems.Count == 0 ? null : JsonSerializer.Serialize(problems);
        if (await db.LedgerVerifications.Where(v => v.Id == id && v.LeaseUntil == lease).ExecuteUpdateAsync(v => v
                .SetProperty(x => x.Status, LedgerVerificationStatus.Completed).SetProperty(x => x.Ok, problems.Count == 0)
                .SetProperty(x => x.Problems, json).SetProperty(x => x.FirstBrokenSequence, firstBroken).SetProperty(x => x.CheckpointId, checkpointId)
                .SetProperty(x => x.CompletedAt, now).SetProperty(x => x.LeaseUntil, (DateTime?)null), ct) != 1)
        {
            throw new LeaseLostException();
        }
        if (problems.Count > 0 && booksWrong)
        {
            // What stood on the broken part stands no more: ledger/verify proves it again itself and says what it finds.
            await LedgerCheckpoints.RevokeFromAsync(db, firstBroken ?? 0, now, ct);
            Logger.LogError("Ledger verification {Id} found the books wrong: {Problems}", id, string.Join(" ", problems.Take(5)));
        }
    }

    private async Task AskForCheckpointIfDueAsync(CancellationToken ct)
    {
        var every = options.Value.Ledger.CheckpointEveryEntries;
        if (every <= 0)
        {
            return;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FinsoftDb>();
        var checkpoints = scope.ServiceProvider.GetRequiredService<LedgerCheckpoints>();
        var head = await db.LedgerHead.AsNoTracking().Select(h => h.Sequence).SingleAsync(ct);
        var latest = (await checkpoints.LatestAsync(ct))?.Sequence ?? 0;
        if (head - latest < every || await db.LedgerVerifications.AnyAsync(v => v.Status != LedgerVerificationStatus.Completed, ct))
        {
            return;
        }
        // One that failed is not asked for again until the journal has grown as much again: its problems are already reported.
        var lastFailed = await db.LedgerVerifications.AsNoTracking().Where(v => v.RequestedBy == null && v.Ok == false)
            .OrderByDescending(v => v.CreatedAt).Select(v => (long?)v.TargetSequence).FirstOrDefaultAsync(ct);
        if (lastFailed is { } target && head - target < every)
        {
            return;
        }
        db.LedgerVerifications.Add(await LedgerVerifications.NewAsync(db, checkpoints, scope.ServiceProvider.GetRequiredService<LedgerSeal>(),
            LedgerVerificationKind.Incremental, requestedBy: null, Time.UtcNow(), ct));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (DatabaseSetup.IsUniqueViolation(e))
        {
            // another node asked for it first
        }
    }

    private sealed class LeaseLostException() : Exception("The verification's lease passed to another node.");
}
