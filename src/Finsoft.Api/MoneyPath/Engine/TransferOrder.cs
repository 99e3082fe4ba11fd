using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Ledger;

namespace Finsoft.Api.MoneyPath.Engine;

/// <summary>An idempotency key with the fingerprint of the request it was sent with.</summary>
public sealed record IdempotencyTicket(string Key, string Fingerprint);

/// <summary>
/// A transfer the engine is asked to make, already checked for shape. What can change under it
/// (open, balance, holds, floor) is decided under lock, in the batch. <see cref="Render"/> turns the
/// outcome into the response, inside the batch's transaction, so an idempotency key stores exactly it.
/// </summary>
public sealed record TransferOrder(
    Guid UserId, Guid OriginId, Guid DestinationId, Money Amount, string? Description, DateTime? HoldUntil,
    IdempotencyTicket? Ticket, Func<TransferOutcome, JsonBody> Render)
{
    public bool IsHold => HoldUntil is not null;
}

/// <summary>What happened to one order.</summary>
public abstract record TransferOutcome
{
    /// <summary>Made: the transaction, and both accounts as they stood just after it.</summary>
    public sealed record Made(TransactionRow Transaction, AccountRow Origin, AccountRow Destination) : TransferOutcome;

    public sealed record Refused(LedgerError Error) : TransferOutcome;
}

/// <summary>Orders that go together: one HTTP request's worth. An atomic job succeeds or fails as a whole.</summary>
public sealed class EngineJob(IReadOnlyList<TransferOrder> orders, bool atomic)
{
    public IReadOnlyList<TransferOrder> Orders { get; } = orders;

    public bool Atomic { get; } = atomic;

    public TaskCompletionSource<JsonBody[]> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
