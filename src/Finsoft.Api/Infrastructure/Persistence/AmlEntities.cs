using System.Linq.Expressions;

namespace Finsoft.Api.Infrastructure.Persistence;

/// <summary>One load of a watch list source.</summary>
public sealed class WatchlistVersionRow
{
    public Guid Id { get; set; }
    public required string Source { get; set; }
    public int Version { get; set; }
    public required string Format { get; set; }
    public int EntryCount { get; set; }
    public DateTime LoadedAt { get; set; }
    public Guid? LoadedBy { get; set; }

    /// <summary>For a version loaded from files at start: their digest, so an unchanged file is not loaded again.</summary>
    public string? ContentSha256 { get; set; }

    /// <summary>When everyone was rescreened against what this version changed, and the lease of the node doing it.</summary>
    public DateTime? RescreenClaimedAt { get; set; }
    public DateTime? RescreenedAt { get; set; }
}

/// <summary>A listed entry of one version; names, birth dates and countries as JSON arrays.</summary>
public sealed class WatchlistEntryRow
{
    public Guid VersionId { get; set; }
    public required string EntryId { get; set; }
    public required string Kind { get; set; }
    public required string Names { get; set; }
    public required string BirthDates { get; set; }
    public required string Countries { get; set; }
    public string? Programs { get; set; }
}

public static class ScreeningStatus
{
    public const string Clear = "clear";
    public const string PotentialMatch = "potential_match";
    public const string ConfirmedMatch = "confirmed_match";
    public const string Dismissed = "dismissed";
}

/// <summary>A screening: who or what (the birth date encrypted, like the profile's), against which list versions, what it found (JSON).</summary>
public sealed class ScreeningRow : Http.IKeyedRow
{
    public Guid Id { get; set; }
    public required string EntityType { get; set; }
    public Guid? EntityId { get; set; }

    /// <summary>Whose key seals <see cref="Name"/> and <see cref="BirthDate"/>; null for a bare name an analyst looked up.</summary>
    public Guid? OwnerId { get; set; }
    public required string Name { get; set; }
    public string? BirthDate { get; set; }
    public string? Country { get; set; }
    public required string Status { get; set; }
    public required string Matches { get; set; }
    public required string ListVersions { get; set; }
    /// <summary>When it was screened.</summary>
    public DateTime CreatedAt { get; set; }
    public Guid? ScreenedBy { get; set; }
}

public static class ReviewKind
{
    public const string ScreeningMatch = "screening_match";
    public const string Transaction = "transaction";
}

/// <summary>
/// Where a review stands. A match is `open`, then `dismissed`, or `awaiting_second` after one analyst confirms it and
/// `confirmed` when a second one does (four eyes); a held transaction is `open`, then `approved` or `rejected`.
/// </summary>
public static class ReviewStatus
{
    public const string Open = "open";
    public const string AwaitingSecond = "awaiting_second";
    public const string Confirmed = "confirmed";
    public const string Dismissed = "dismissed";
    public const string Approved = "approved";
    public const string Rejected = "rejected";

    public static readonly string[] All = [Open, AwaitingSecond, Confirmed, Dismissed, Approved, Rejected];

    /// <summary>The statuses that keep a user's or destination's money still: undecided, or a confirmed match.</summary>
    public static readonly string[] Holding = [Open, AwaitingSecond, Confirmed];

    /// <summary>
    /// A transaction no analyst is deciding: never held for review, or approved (a rejected one has failed). The workers
    /// that send a pending withdrawal, ask a provider about a pay-in or expire a hold take only these.
    /// </summary>
    public static readonly Expression<Func<TransactionRow, bool>> NotAwaited = t => t.ReviewStatus == null || t.ReviewStatus == Approved;

    public static readonly string[] Undecided = [Open, AwaitingSecond];
}

/// <summary>Something an analyst must decide: one watch-list match of one entity, or one transaction held for review.</summary>
public sealed class ReviewRow : Http.IKeyedRow
{
    public Guid Id { get; set; }
    public required string Kind { get; set; }
    public required string Status { get; set; }
    /// <summary>Whose name or money it is about.</summary>
    public Guid? UserId { get; set; }
    public required string Reason { get; set; }

    /// <summary>For a match: the screening that found it, what was screened, and the list entry.</summary>
    public Guid? ScreeningId { get; set; }
    public string? EntityType { get; set; }
    public Guid? EntityId { get; set; }
    public string? Source { get; set; }
    public string? EntryId { get; set; }
    public string? MatchedName { get; set; }
    public double? Score { get; set; }

    /// <summary>For a held transaction.</summary>
    public Guid? TransactionId { get; set; }

    /// <summary>The first of two confirmations (four eyes).</summary>
    public Guid? FirstDecidedBy { get; set; }
    public DateTime? FirstDecidedAt { get; set; }
    public string? FirstNote { get; set; }

    public Guid? DecidedBy { get; set; }
    public DateTime? DecidedAt { get; set; }
    public string? Note { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>Periodic rescreening of one user or destination account: due at <see cref="NextDueAt"/>, then every <see cref="IntervalDays"/>.</summary>
public sealed class ScreeningScheduleRow
{
    public required string EntityType { get; set; }
    public Guid EntityId { get; set; }
    public int IntervalDays { get; set; }
    public DateTime NextDueAt { get; set; }
    public DateTime UpdatedAt { get; set; }

    /// <summary>An analyst chose the interval; otherwise the customer's risk level does.</summary>
    public bool SetByAnalyst { get; set; }
}
