using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.MoneyPath.Verification;

/// <summary>
/// Before a verification or an archiving seals a checkpoint, what it proved must be tied to something already sealed, or
/// it would seal a chain that was rewritten, hashes and all, behind the API. A walk on from the proven point that reaches
/// the sealed head, or the anchor of a later sealed checkpoint, ties it: the hashes cannot meet again after a change.
/// </summary>
public sealed class SealedChain(FinsoftDb db, ChainWalk chain, LedgerSeal seal)
{
    /// <summary>
    /// Null when the chain runs on unchanged from <paramref name="proven"/> to the sealed head or, with
    /// <paramref name="toCheckpoint"/>, to the first checkpoint at or after it whose seal holds (closer, on a long journal).
    /// Otherwise what is wrong. Run inside the caller's snapshot.
    /// </summary>
    public async Task<string?> ProblemAfterAsync(ChainWalk.Position proven, bool toCheckpoint, CancellationToken ct)
    {
        if (toCheckpoint)
        {
            // A few of the nearest: one that is not sealed is passed over (the head still ties it), and a run of forged ones only
            // makes the walk longer.
            var later = await db.LedgerCheckpoints.AsNoTracking().Where(c => c.RevokedAt == null && c.Sequence >= proven.Sequence)
                .OrderBy(c => c.Sequence).Take(5).ToListAsync(ct);
            if (later.FirstOrDefault(seal.HoldsCheckpoint) is { } checkpoint)
            {
                return await ReachesAsync(proven, new ChainWalk.Position(checkpoint.Sequence, checkpoint.Hash), $"the sealed checkpoint at entry {checkpoint.Sequence}", ct);
            }
        }
        var head = await db.LedgerHead.AsNoTracking().SingleAsync(ct);
        if (!seal.HoldsHead(head))
        {
            return HeadProblem(head);
        }
        return await ReachesAsync(proven, new ChainWalk.Position(head.Sequence, head.LastHash), "the ledger head", ct);
    }

    /// <summary>
    /// At start-up: a head sealed with a key this node does not have means the node was given the wrong key, and anything it
    /// sealed would fail on the others, so it refuses to start. A head whose seal does not hold under a key it has is what
    /// a rewrite looks like: that is for the operators to see and answer, so the node starts, says so loudly, and every
    /// verification reports it (ADR 0015).
    /// </summary>
    public async Task CheckHeadAtStartAsync(ILogger logger, CancellationToken ct)
    {
        var head = await db.LedgerHead.AsNoTracking().SingleAsync(ct);
        if (head.Seal?.IndexOf('.') is > 0 and var dot && seal.KnownKeyOf(head.Seal) is null)
        {
            throw new Host.StartupException($"The ledger head is sealed with key {head.Seal[..dot]}, which this node does not have: give it the deployment's " +
                                            "Finsoft__Ledger__SealKey (or list that key in Finsoft__Ledger__AcceptedSealKeys).");
        }
        if (!seal.HoldsHead(head))
        {
            logger.LogCritical("{Problem} ledger/verify reports it until the journal is restored.", HeadProblem(head));
        }
    }

    public static string HeadProblem(LedgerHeadRow head) =>
        $"The ledger head (entry {head.Sequence}) does not carry the ledger's seal: the journal was written or rewritten behind the API " +
        "(or sealed with a key this node does not have).";

    private async Task<string?> ReachesAsync(ChainWalk.Position from, ChainWalk.Position sealedAt, string what, CancellationToken ct)
    {
        var walk = await chain.WalkAsync(from, sealedAt.Sequence, long.MaxValue, ct);
        return walk.Broken is { } broken ? broken.Describe()
            : walk.Reached.Hash != sealedAt.Hash ? $"The chain from entry {from.Sequence} does not reach {what} with the hash it was sealed with."
            : null;
    }
}
