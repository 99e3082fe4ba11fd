namespace Finsoft.Api.Infrastructure.Persistence;

/// <summary>A data subject's request under the GDPR. <see cref="Export"/> is the answer to an access or portability request, encrypted.</summary>
public sealed class DataRequestRow : Http.IKeyedRow
{
    public Guid Id { get; set; }

    /// <summary>The data subject.</summary>
    public Guid UserId { get; set; }
    public Guid RequestedBy { get; set; }
    public required string Type { get; set; }
    public string? Details { get; set; }
    public required string Status { get; set; }

    /// <summary>Why it was rejected.</summary>
    public string? Reason { get; set; }
    public Guid? DecidedBy { get; set; }
    public DateTime DueAt { get; set; }
    public DateTime? LeaseUntil { get; set; }
    public byte[]? Export { get; set; }
    public long? ExportBytes { get; set; }
    public DateTime? ExportExpiresAt { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? CompletedAt { get; set; }

    /// <summary>For a completed erasure: what the law makes Finsoft keep, and until when (JSON).</summary>
    public string? LegalHolds { get; set; }
}
