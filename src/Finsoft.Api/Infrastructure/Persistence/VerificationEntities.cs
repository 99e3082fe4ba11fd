namespace Finsoft.Api.Infrastructure.Persistence;

/// <summary>
/// Entries 1..<see cref="Sequence"/> proven, anchored by the hash of the last of them; its account and currency totals
/// are in <see cref="LedgerCheckpointAccountRow"/> and <see cref="LedgerCheckpointCurrencyRow"/>.
/// </summary>
public sealed class LedgerCheckpointRow
{
    public Guid Id { get; set; }
    public long Sequence { get; set; }
    public required string Hash { get; set; }

    /// <summary>SHA-256 over the anchor and every account and currency total (<see cref="MoneyPath.Verification.LedgerCheckpoints.TotalsHash"/>).</summary>
    public required string TotalsHash { get; set; }

    /// <summary>The checkpoint this one was proven on top of (0: from the first entry).</summary>
    public long BaseSequence { get; set; }

    /// <summary>Proven from the first entry (or from the archived months' floor) by a full verification or an archiving, rather than on top of an earlier checkpoint.</summary>
    public bool FullProof { get; set; }
    public DateTime CreatedAt { get; set; }

    /// <summary>The seal over the anchor and the totals' hash (<see cref="MoneyPath.Verification.LedgerSeal"/>), made once the totals are proven.</summary>
    public string? Seal { get; set; }

    /// <summary>When a verification found the journal wrong at or before this point; a revoked checkpoint is never stood on.</summary>
    public DateTime? RevokedAt { get; set; }
}

/// <summary>What an account's postings sum to up to the checkpoint.</summary>
public sealed class LedgerCheckpointAccountRow
{
    public Guid CheckpointId { get; set; }
    public Guid AccountId { get; set; }
    public long Posted { get; set; }
}

/// <summary>A currency's debits and credits up to the checkpoint.</summary>
public sealed class LedgerCheckpointCurrencyRow
{
    public Guid CheckpointId { get; set; }
    public required string Currency { get; set; }
    public long Debits { get; set; }
    public long Credits { get; set; }
}

/// <summary>A verification run by a worker, page by page: its progress is kept, so it resumes where a stopped node left it.</summary>
public sealed class LedgerVerificationRow : Http.IKeyedRow
{
    public Guid Id { get; set; }
    public required string Kind { get; set; }
    public required string Status { get; set; }
    public Guid? BaseCheckpointId { get; set; }
    public long BaseSequence { get; set; }
    public long TargetSequence { get; set; }
    public long VerifiedSequence { get; set; }
    public required string VerifiedHash { get; set; }
    public bool? Ok { get; set; }

    /// <summary>JSON array of what was wrong.</summary>
    public string? Problems { get; set; }
    public long? FirstBrokenSequence { get; set; }
    public Guid? CheckpointId { get; set; }
    public DateTime? LeaseUntil { get; set; }

    /// <summary>Null for the checkpoints the service makes by itself.</summary>
    public Guid? RequestedBy { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? CompletedAt { get; set; }

    /// <summary>The seal over what the job is and how far it got (<see cref="MoneyPath.Verification.LedgerSeal"/>): a node resumes only from a place it can trust.</summary>
    public string? Seal { get; set; }
}

public static class LedgerVerificationKind
{
    public const string Full = "full";
    public const string Incremental = "incremental";
}

public static class LedgerVerificationStatus
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Completed = "completed";
}

/// <summary>
/// A month of the journal archived: entries <see cref="FirstSequence"/> to <see cref="LastSequence"/>, proven and then detached
/// from the live tables as <see cref="EntriesTable"/> and <see cref="PostingsTable"/>. The checkpoint at its last entry keeps its
/// totals for good: what remains is proven, balanced and summed on top of it.
/// </summary>
public sealed class LedgerArchiveRow
{
    /// <summary>The first day of the month (UTC) whose recorded entries it holds.</summary>
    public DateOnly Month { get; set; }
    public long FirstSequence { get; set; }
    public long LastSequence { get; set; }
    public long Entries { get; set; }
    public long Postings { get; set; }

    /// <summary>The latest effective time of any posting archived so far (this month or before): balances before it cannot be read any more.</summary>
    public DateTime? EffectiveThrough { get; set; }
    public Guid CheckpointId { get; set; }
    public required string EntriesTable { get; set; }
    public required string PostingsTable { get; set; }
    public Guid? ArchivedBy { get; set; }
    public DateTime ArchivedAt { get; set; }

    /// <summary>The seal over the month, its run of the chain and its checkpoint (<see cref="MoneyPath.Verification.LedgerSeal"/>).</summary>
    public string? Seal { get; set; }
}
