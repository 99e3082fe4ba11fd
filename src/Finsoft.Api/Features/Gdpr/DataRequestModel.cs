using System.Text.Json;
using System.Text.Json.Serialization;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;

namespace Finsoft.Api.Features.Gdpr;

/// <summary>The rights a data subject asks to exercise (GDPR arts. 15, 20, 17, 16).</summary>
public static class DataRequestType
{
    public const string Access = "access";
    public const string Portability = "portability";
    public const string Erasure = "erasure";
    public const string Rectification = "rectification";

    public static readonly IReadOnlyList<string> All = [Access, Portability, Erasure, Rectification];

    /// <summary>Answered by the worker with an export, without anyone deciding.</summary>
    public static bool IsExport(string type) => type is Access or Portability;
}

/// <summary>received → processing → completed | rejected.</summary>
public static class DataRequestStatus
{
    public const string Received = "received";
    public const string Processing = "processing";
    public const string Completed = "completed";
    public const string Rejected = "rejected";

    public static readonly IReadOnlyList<string> All = [Received, Processing, Completed, Rejected];
}

public sealed record DataRequestDto(
    Guid Id, Guid UserId, Guid RequestedBy, string Type, string? Details, string Status, string? Reason, DateTime DueAt, DateTime CreatedAt,
    DateTime UpdatedAt, DateTime? CompletedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DataRequestDto.ExportLink? Export,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<Erasure.LegalHold>? LegalHolds)
{
    /// <summary>Where the export is, while it lasts.</summary>
    public sealed record ExportLink(string Href, long Bytes, DateTime ExpiresAt);

    public static DataRequestDto From(DataRequestRow r) => new(
        r.Id, r.UserId, r.RequestedBy, r.Type, r.Details, r.Status, r.Reason, r.DueAt, r.CreatedAt, r.UpdatedAt, r.CompletedAt,
        r is { ExportBytes: { } bytes, ExportExpiresAt: { } expires } ? new ExportLink($"/api/v1/gdpr/data-requests/{r.Id}/export", bytes, expires) : null,
        r.LegalHolds is { } holds ? JsonSerializer.Deserialize<List<Erasure.LegalHold>>(holds, Json.Options) : null);
}
