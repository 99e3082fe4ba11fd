using Finsoft.Api.Infrastructure.Audit;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Idempotency;
using Finsoft.Api.MoneyPath.Outbox;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Ledger;

namespace Finsoft.Api.MoneyPath.Engine;

/// <summary>
/// One command for the engine, already checked for shape, with what its transaction records and who
/// asks. What can change under it (open, balances, holds, floors, a transaction's status, a quote) is
/// decided under lock, in the batch. <see cref="Render"/> is the one callback: it turns the outcome into
/// the response inside the batch's transaction, so an idempotency key stores exactly those bytes.
/// </summary>
public sealed record MoneyOrder(MoneyCommand Command, Func<MoneyOutcome, JsonBody> Render)
{
    /// <summary>The signed-in user who asks; null when the platform itself does (bank answers, hold expiry).</summary>
    public CurrentUser? Initiator { get; init; }

    public IdempotencyTicket? Ticket { get; init; }

    /// <summary>
    /// An account the initiator must hold (own, or be a joint holder of; staff included), checked under lock;
    /// otherwise the order is refused with the error given. Null where the endpoint's role alone decides (an admin's deposit).
    /// </summary>
    public (Guid AccountId, LedgerError Otherwise)? MustHold { get; init; }

    public string? Description { get; init; }

    /// <summary>
    /// The earlier day the transaction counts on in the books (a back-dated deposit or adjustment, a closing entry); null for
    /// the day it is made. Either way the day must not fall in a closed fiscal period.
    /// </summary>
    public DateOnly? ValueDate { get; init; }

    /// <summary>Until when a two-phase transfer holds its funds.</summary>
    public DateTime? HoldUntil { get; init; }

    /// <summary>The registered bank account a withdrawal pays.</summary>
    public Guid? ExternalDestinationId { get; init; }

    /// <summary>The quote and second currency of a cross-currency transfer.</summary>
    public Conversion? Conversion { get; init; }

    /// <summary>
    /// Why the transaction this order makes is held for a compliance review, if it is: it stays PENDING with its funds
    /// held, and the engine opens the review with it; an analyst's approval sends it on, a rejection releases the funds.
    /// </summary>
    public string? ReviewReason { get; init; }

    /// <summary>What transaction monitoring decided about the order, written on the transaction it makes.</summary>
    public Finsoft.Ledger.Monitoring.RiskAssessment? Risk { get; init; }

    /// <summary>Where the request came from, for the audit records the engine writes (adjustments, limits).</summary>
    public AuditOrigin? Origin { get; init; }

    /// <summary>
    /// What the feature writes with the transaction the order made (a payment's own row and status), in the
    /// batch's database transaction once the ledger's rows are in, and the events that announce it. Runs only
    /// for an order that was made, and again if the batch is retried.
    /// </summary>
    public FollowUp? Then { get; init; }

    public delegate Task<IReadOnlyList<PendingEvent>> FollowUp(FinsoftDb db, TransactionRow transaction, CancellationToken ct);

    /// <summary>
    /// Whom a platform order that starts a transaction records it for, with no one signed in: a loan's borrower, for the
    /// installments debited and the interest charged under the loan's terms.
    /// </summary>
    public Guid? OnBehalfOf { get; init; }

    /// <summary>The user a new transaction records as its initiator.</summary>
    public Guid InitiatorId => Initiator?.Id ?? OnBehalfOf ?? throw new InvalidOperationException($"{Command.GetType().Name} needs a signed-in initiator.");
}

/// <summary>What happened to one order.</summary>
public abstract record MoneyOutcome
{
    /// <summary>
    /// Made: the transaction as it now stands (none for a change of floor or an adjustment to the same
    /// balance), every account it touched as it stood just after, and which of them the initiator holds.
    /// </summary>
    public sealed record Made(TransactionRow? Transaction, IReadOnlyDictionary<Guid, AccountRow> Accounts, IReadOnlySet<Guid> HeldByInitiator)
        : MoneyOutcome
    {
        public AccountRow? Account(Guid? id) => id is { } key ? Accounts.GetValueOrDefault(key) : null;

        /// <summary>A counterparty's balance is not the caller's business; its own accounts' (and staff's view) are.</summary>
        public bool ShowsBalanceOf(AccountRow account, CurrentUser? user) =>
            user is not null && (user.SeesEveryAccount || HeldByInitiator.Contains(account.Id));
    }

    public sealed record Refused(LedgerError Error) : MoneyOutcome;
}

/// <summary>Orders that go together: one HTTP request's worth. An atomic job succeeds or fails as a whole.</summary>
public sealed class EngineJob(IReadOnlyList<MoneyOrder> orders, bool atomic)
{
    public IReadOnlyList<MoneyOrder> Orders { get; } = orders;

    public bool Atomic { get; } = atomic;

    public TaskCompletionSource<JsonBody[]> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The span of the request that submitted the job, for the batch span to link to.</summary>
    public System.Diagnostics.ActivityContext Origin { get; } = System.Diagnostics.Activity.Current?.Context ?? default;
}
