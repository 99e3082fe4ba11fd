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
