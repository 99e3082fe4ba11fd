namespace Finsoft.Api.Infrastructure.Persistence;

/// <summary>A report asked for once, or by a schedule: rendered by a worker, its file kept until <see cref="ExpiresAt"/>.</summary>
public sealed class ReportJobRow : Http.IKeyedRow
{
    public Guid Id { get; set; }
    public required string Report { get; set; }
    public required string Format { get; set; }

    /// <summary>The report's parameters as JSON, as given.</summary>
    public required string Parameters { get; set; }
    public required string Status { get; set; }
    public int Progress { get; set; }
    public byte[]? Content { get; set; }
    public string? ContentType { get; set; }
    public string? FileName { get; set; }
    public long? SizeBytes { get; set; }
    public string? FailureReason { get; set; }
    public Guid? ScheduleId { get; set; }

    /// <summary>For a scheduled job: the occurrence of the schedule it runs (each runs once).</summary>
    public DateTime? Occurrence { get; set; }
    public DateTime? LeaseUntil { get; set; }
    public Guid CreatedBy { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? CompletedAt { get; set; }
    public DateTime? ExpiresAt { get; set; }
}

public static class ReportJobStatus
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";
}

/// <summary>A report run on a cron schedule; <see cref="NextRunAt"/> is the occurrence the next node to claim it runs.</summary>
public sealed class ReportScheduleRow : Http.IKeyedRow
{
    public Guid Id { get; set; }
    public required string Report { get; set; }
    public required string Format { get; set; }
    public required string Parameters { get; set; }
    public required string Cron { get; set; }
    public required string TimeZone { get; set; }
    public DateTime? NextRunAt { get; set; }
    public DateTime? LastRunAt { get; set; }
    public Guid CreatedBy { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? DeletedAt { get; set; }
}
