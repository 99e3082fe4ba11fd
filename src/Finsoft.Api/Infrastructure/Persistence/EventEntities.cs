namespace Finsoft.Api.Infrastructure.Persistence;

/// <summary>One event of the outbox: what happened to money, at which position of the one ordered stream.</summary>
public sealed class EventRow
{
    public long Position { get; set; }
    public required string Type { get; set; }
    public DateTime OccurredAt { get; set; }
    public Guid? OriginAccountId { get; set; }
    public Guid? DestinationAccountId { get; set; }

    /// <summary>The transaction, hold or account as the API shows it, as JSON.</summary>
    public required string Data { get; set; }
}

/// <summary>How far an in-process consumer has read the outbox, and which node holds it now.</summary>
public sealed class EventConsumerRow
{
    public required string Name { get; set; }
    public long Position { get; set; }
    public Guid? LeaseOwner { get; set; }
    public DateTime? LeaseUntil { get; set; }
}
