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

/// <summary>A screening: who or what, against which list versions, what it found (JSON).</summary>
public sealed class ScreeningRow : Http.IKeyedRow
{
    public Guid Id { get; set; }
    public required string EntityType { get; set; }
    public Guid? EntityId { get; set; }
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
