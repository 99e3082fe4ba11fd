using System.Security.Claims;
using System.Text.Json;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Verification;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Ledger;

/// <summary>
/// Verifications run as jobs by <see cref="LedgerVerificationRunner"/>: <c>full</c> proves the whole journal again from its
/// first entry (or from the end of the archived months), <c>incremental</c> the entries since the latest checkpoint; each ends at the head as it stood when asked, and
/// a proven one leaves a checkpoint there for <c>ledger/verify</c> to start from.
/// </summary>
public static class LedgerVerifications
{
    public sealed record CreateRequest(string? Kind);

    public sealed record VerificationDto(Guid Id, string Kind, string Status, long BaseSequence, long TargetSequence, long VerifiedSequence, int Progress,
        bool? Ok, IReadOnlyList<string> Problems, long? FirstBrokenSequence, Guid? CheckpointId, Guid? RequestedBy, DateTime CreatedAt, DateTime? StartedAt,
        DateTime? CompletedAt)
    {
        public static VerificationDto From(LedgerVerificationRow v)
        {
            var span = v.TargetSequence - v.BaseSequence;
            var progress = v.Status == LedgerVerificationStatus.Completed ? 100
                : span <= 0 ? 0
                : (int)Math.Min(99, 100 * (v.VerifiedSequence - v.BaseSequence) / span);
            return new(v.Id, v.Kind, v.Status, v.BaseSequence, v.TargetSequence, v.VerifiedSequence, progress,
                v.Ok, v.Problems is null ? [] : JsonSerializer.Deserialize<List<string>>(v.Problems) ?? [], v.FirstBrokenSequence, v.CheckpointId, v.RequestedBy,
                v.CreatedAt, v.StartedAt, v.CompletedAt);
        }
    }

    public static async Task<JsonBody> Create(CreateRequest? request, ClaimsPrincipal principal, FinsoftDb db, LedgerCheckpoints checkpoints, LedgerSeal seal,
        TimeProvider time, CancellationToken ct)
    {
        var kind = request?.Kind ?? LedgerVerificationKind.Full;
        if (kind is not (LedgerVerificationKind.Full or LedgerVerificationKind.Incremental))
        {
            return new Validation().Add("kind", "kind must be full or incremental.").Result;
        }
        var row = await NewAsync(db, checkpoints, seal, kind, CurrentUser.From(principal).Id, time.UtcNow(), ct);
        db.LedgerVerifications.Add(row);
        await db.SaveChangesAsync(ct);
        return ApiResults.Accepted(VerificationDto.From(row));
    }

    /// <summary>
    /// A verification from the first entry still in the journal (full: from the first, or from the newest archived month's
    /// floor) or from the latest checkpoint (incremental) to the head as it stands now.
    /// </summary>
    public static async Task<LedgerVerificationRow> NewAsync(FinsoftDb db, LedgerCheckpoints checkpoints, LedgerSeal seal, string kind, Guid? requestedBy,
        DateTime now, CancellationToken ct)
    {
        var head = await db.LedgerHead.AsNoTracking().SingleAsync(ct);
        var start = kind == LedgerVerificationKind.Incremental ? await checkpoints.LatestAsync(ct) : await checkpoints.ArchiveFloorAsync(ct);
        var from = start is null ? ChainWalk.Position.Genesis : new ChainWalk.Position(start.Sequence, start.Hash);
        var job = new LedgerVerificationRow
        {
            Id = Guid.CreateVersion7(), Kind = kind, Status = LedgerVerificationStatus.Queued, BaseCheckpointId = start?.Id, BaseSequence = from.Sequence,
            TargetSequence = head.Sequence, VerifiedSequence = from.Sequence, VerifiedHash = from.Hash, RequestedBy = requestedBy, CreatedAt = now,
        };
        job.Seal = seal.Seal(LedgerSeal.ProgressStatement(job));
        return job;
    }

    public static async Task<JsonBody> Get(Guid id, FinsoftDb db, CancellationToken ct) =>
        await db.LedgerVerifications.AsNoTracking().FirstOrDefaultAsync(v => v.Id == id, ct) is { } row
            ? ApiResults.Ok(VerificationDto.From(row))
            : ApiResults.NotFound("Verification not found");

    public static async Task<JsonBody> List(int? limit, string? cursor, HttpRequest http, FinsoftDb db, CancellationToken ct)
    {
        if (!PageRequest.TryParse(limit, cursor, out var page, out var problem))
        {
            return problem!;
        }
        return await PageResponse.ReadAsync(db.LedgerVerifications, page, newestFirst: true, http, VerificationDto.From, ct);
    }
}
