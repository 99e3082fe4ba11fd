namespace Finsoft.Api.Infrastructure.Persistence;

/// <summary>Where a user wants events sent. <see cref="Secret"/> and <see cref="PreviousSecret"/> are stored encrypted.</summary>
public sealed class WebhookEndpointRow
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public required string Url { get; set; }
    public string? Description { get; set; }

    /// <summary>The event types subscribed to, as a JSON array; ["*"] for all.</summary>
    public required string Events { get; set; }

    /// <summary>The last event position when the endpoint was made: it is sent what came after.</summary>
    public long FromPosition { get; set; }
    public required string Secret { get; set; }
    public string? PreviousSecret { get; set; }
    public DateTime? PreviousSecretUntil { get; set; }
    public DateTime? FailingSince { get; set; }
    public DateTime? DisabledAt { get; set; }
    public string? DisabledReason { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? DeletedAt { get; set; }
}

public static class DeliveryStatus
{
    public const string Pending = "pending";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
}

/// <summary>One event on its way to one endpoint.</summary>
public sealed class WebhookDeliveryRow : Http.IKeyedRow
{
    public Guid Id { get; set; }
    public Guid EndpointId { get; set; }
    public long EventPosition { get; set; }
    public required string EventType { get; set; }
    public required string Status { get; set; }
    public int Attempts { get; set; }
    public DateTime? NextAttemptAt { get; set; }
    public int? LastStatusCode { get; set; }
    public string? LastError { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? DeliveredAt { get; set; }
}

/// <summary>One try at a delivery: what the receiver answered, or why nothing came back.</summary>
public sealed class WebhookAttemptRow
{
    public long Id { get; set; }
    public Guid DeliveryId { get; set; }
    public DateTime AttemptedAt { get; set; }
    public int? StatusCode { get; set; }
    public string? Error { get; set; }
    public int DurationMs { get; set; }
}
