namespace Finsoft.Ledger;

/// <summary>
/// What the planner knows of an existing transaction that a command acts on, as read under lock.
/// <see cref="Held"/> is what the transaction keeps reserved on its origin while it is in flight;
/// <see cref="Converted"/> marks a transfer across currencies. For a payment, <see cref="Fee"/> is the platform's
/// fee, <see cref="Refunded"/> what its refunds not failed have sent back and <see cref="FeeRefunded"/> the part of
/// the fee they returned; for a refund, <see cref="Fee"/> is the part of the payment's fee it returns, and
/// <see cref="ReversalOf"/> its payment. <see cref="Review"/> is where a transaction held for a compliance review stands.
/// </summary>
/// <param name="PayerHold">
/// A two-phase transfer its payer asked for (captured or voided by them, or lapsing at its expiry), as against a transfer
/// that monitoring turned into a hold for review: approving that review leaves a payer's hold to its payer.
/// </param>
public sealed record TransactionState(
    Guid Id, TransactionType Type, TransactionStatus Status, Guid? OriginId, Guid? DestinationId, Money Amount, long? Held,
    Guid? PayoutReference, bool Reversed, bool Converted = false, long Fee = 0, long Refunded = 0, Guid? ReversalOf = null, long FeeRefunded = 0,
    ReviewState Review = ReviewState.None, bool PayerHold = false)
{
    public bool IsHold => Type == TransactionType.Transfer && Held is not null;
}

/// <summary>Where a transaction held for a compliance review stands: never held, waiting for an analyst, or decided.</summary>
public enum ReviewState
{
    None,
    Open,
    Approved,
    Rejected,
}

/// <summary>
/// Everything that moves or reserves money, as the planner sees it. Each kind says which accounts it
/// needs locked, which existing transaction (if any) it acts on, and — in <see cref="MoneyRules"/> —
/// what it does to the books and why it may be refused.
/// </summary>
public abstract record MoneyCommand
{
    /// <summary>The accounts the command may touch; the engine locks them before planning.</summary>
    public abstract IEnumerable<Guid> Accounts(IReadOnlyDictionary<Guid, TransactionState> transactions);

    /// <summary>The existing transaction the command acts on, locked with the accounts.</summary>
    public virtual Guid? Subject => null;

    /// <summary>A second existing transaction whose state the command changes as the planner sees it (a failed refund's payment), locked too.</summary>
    public virtual Guid? Related => null;

    /// <summary>The wallet money leaves by this command, if any: its holder must not be under compliance review.</summary>
    public virtual Guid? Payer(IReadOnlyDictionary<Guid, TransactionState> transactions) => null;

    /// <summary>Wallet to wallet, same currency; with <see cref="Hold"/> only reserved on the origin (PENDING).</summary>
    public sealed record Transfer(Guid OriginId, Guid DestinationId, Money Amount, bool Hold = false) : MoneyCommand
    {
        public override IEnumerable<Guid> Accounts(IReadOnlyDictionary<Guid, TransactionState> transactions) => [OriginId, DestinationId];

        public override Guid? Payer(IReadOnlyDictionary<Guid, TransactionState> transactions) => OriginId;
    }

    /// <summary>Moves a pending hold's amount (or less, <see cref="Amount"/>) and releases the whole hold.</summary>
    public sealed record Capture(Guid HoldId, Money? Amount) : MoneyCommand
    {
        public override Guid? Subject => HoldId;

        public override IEnumerable<Guid> Accounts(IReadOnlyDictionary<Guid, TransactionState> transactions) => Ends(transactions, HoldId);

        public override Guid? Payer(IReadOnlyDictionary<Guid, TransactionState> transactions) => transactions.GetValueOrDefault(HoldId)?.OriginId;
    }

    /// <summary>Ends a pending hold without moving money: voided by a person or expired by the clock.</summary>
    public sealed record Release(Guid HoldId, string Reason) : MoneyCommand
    {
        public const string Voided = "voided";
        public const string Expired = "expired";

        public override Guid? Subject => HoldId;

        public override IEnumerable<Guid> Accounts(IReadOnlyDictionary<Guid, TransactionState> transactions) => Ends(transactions, HoldId);
    }

    /// <summary>Money arriving from outside: the settlement bank account (an asset) rises with the wallet.</summary>
    public sealed record Deposit(Guid SettlementId, Guid WalletId, Money Amount) : MoneyCommand
    {
        public override IEnumerable<Guid> Accounts(IReadOnlyDictionary<Guid, TransactionState> transactions) => [SettlementId, WalletId];
    }

    /// <summary>Reserves a payout's amount on the wallet; the bank's answer settles or releases it.</summary>
    public sealed record Withdraw(Guid WalletId, Money Amount) : MoneyCommand
    {
        public override IEnumerable<Guid> Accounts(IReadOnlyDictionary<Guid, TransactionState> transactions) => [WalletId];

        public override Guid? Payer(IReadOnlyDictionary<Guid, TransactionState> transactions) => WalletId;
    }

    /// <summary>The bank paid the attempt <see cref="Reference"/>: the held funds leave the wallet.</summary>
    public sealed record SettlePayout(Guid WithdrawalId, Guid Reference, Guid SettlementId) : MoneyCommand
    {
        public override Guid? Subject => WithdrawalId;

        public override IEnumerable<Guid> Accounts(IReadOnlyDictionary<Guid, TransactionState> transactions) =>
            [.. Ends(transactions, WithdrawalId), SettlementId];
    }

    /// <summary>The bank refused the attempt <see cref="Reference"/>: the hold is released and the withdrawal fails.</summary>
    public sealed record RejectPayout(Guid WithdrawalId, Guid Reference, string Reason) : MoneyCommand
    {
        public override Guid? Subject => WithdrawalId;

        public override IEnumerable<Guid> Accounts(IReadOnlyDictionary<Guid, TransactionState> transactions) => Ends(transactions, WithdrawalId);
    }

    /// <summary>A failed withdrawal is sent again under <see cref="NewReference"/>, its funds held again.</summary>
    public sealed record RetryPayout(Guid WithdrawalId, Guid NewReference) : MoneyCommand
    {
        public override Guid? Subject => WithdrawalId;

        public override IEnumerable<Guid> Accounts(IReadOnlyDictionary<Guid, TransactionState> transactions) => Ends(transactions, WithdrawalId);

        public override Guid? Payer(IReadOnlyDictionary<Guid, TransactionState> transactions) => transactions.GetValueOrDefault(WithdrawalId)?.OriginId;
    }

    /// <summary>Sends a completed transfer back, from its receiver to its sender.</summary>
    public sealed record Reverse(Guid OriginalId) : MoneyCommand
    {
        public override Guid? Subject => OriginalId;

        public override IEnumerable<Guid> Accounts(IReadOnlyDictionary<Guid, TransactionState> transactions) => Ends(transactions, OriginalId);
    }

    /// <summary>Sets a wallet's balance by posting the difference against the adjustments account.</summary>
    public sealed record Adjust(Guid WalletId, Guid AdjustmentsId, long TargetBalance) : MoneyCommand
    {
        public override IEnumerable<Guid> Accounts(IReadOnlyDictionary<Guid, TransactionState> transactions) => [WalletId, AdjustmentsId];
    }

    /// <summary>
    /// A cross-currency transfer at a quoted price: two entries, each balanced in its own currency
    /// through that currency's FX conversion account. <see cref="QuoteUsable"/> is the quote's state
    /// read under lock (unspent and unexpired).
    /// </summary>
    public sealed record Convert(Guid OriginId, Guid FxFromId, Money Sent, Guid FxToId, Guid DestinationId, Money Received, bool QuoteUsable)
        : MoneyCommand
    {
        public override IEnumerable<Guid> Accounts(IReadOnlyDictionary<Guid, TransactionState> transactions) => [OriginId, FxFromId, FxToId, DestinationId];

        public override Guid? Payer(IReadOnlyDictionary<Guid, TransactionState> transactions) => OriginId;
    }

    /// <summary>Sets (or clears, null) an account's floor; refused when the account does not meet it now.</summary>
    public sealed record SetFloor(Guid AccountId, long? Floor) : MoneyCommand
    {
        public override IEnumerable<Guid> Accounts(IReadOnlyDictionary<Guid, TransactionState> transactions) => [AccountId];
    }

    /// <summary>A pay-in through a provider starts: nothing moves until the provider says the money arrived.</summary>
    public sealed record OpenPayIn(Guid WalletId, Money Amount, Money Fee) : MoneyCommand
    {
        public override IEnumerable<Guid> Accounts(IReadOnlyDictionary<Guid, TransactionState> transactions) => [WalletId];
    }

    /// <summary>
    /// The provider collected the payment: the provider clearing account (an asset: the provider owes it)
    /// rises by the amount, the wallet by the amount less the fee, fee income by the fee.
    /// </summary>
    public sealed record SettlePayIn(Guid PaymentId, Guid ClearingId, Guid FeeIncomeId) : MoneyCommand
    {
        public override Guid? Subject => PaymentId;

        public override IEnumerable<Guid> Accounts(IReadOnlyDictionary<Guid, TransactionState> transactions) =>
            [.. Ends(transactions, PaymentId), ClearingId, FeeIncomeId];
    }

    /// <summary>The provider could not collect the payment: it fails, and nothing moves.</summary>
    public sealed record FailPayIn(Guid PaymentId, string Reason) : MoneyCommand
    {
        public override Guid? Subject => PaymentId;

        public override IEnumerable<Guid> Accounts(IReadOnlyDictionary<Guid, TransactionState> transactions) => Ends(transactions, PaymentId);
    }

    /// <summary>
    /// Sends part (or the rest) of a succeeded payment back: the wallet gives up the amount less its share of
    /// the fee, fee income gives up that share, and the provider clearing account falls by the amount. Booked
    /// now, so the funds cannot be spent meanwhile; a provider's refusal books it back (<see cref="FailRefund"/>).
    /// No <see cref="Amount"/>: whatever is left to refund, as read under lock.
    /// </summary>
    public sealed record Refund(Guid PaymentId, Guid ClearingId, Guid FeeIncomeId, Money? Amount) : MoneyCommand
    {
        public override Guid? Subject => PaymentId;

        public override IEnumerable<Guid> Accounts(IReadOnlyDictionary<Guid, TransactionState> transactions) =>
            [.. Ends(transactions, PaymentId), ClearingId, FeeIncomeId];

        public override Guid? Payer(IReadOnlyDictionary<Guid, TransactionState> transactions) => transactions.GetValueOrDefault(PaymentId)?.DestinationId;
    }

    /// <summary>The provider paid the refund back to the customer.</summary>
    public sealed record SettleRefund(Guid RefundId) : MoneyCommand
    {
        public override Guid? Subject => RefundId;

        public override IEnumerable<Guid> Accounts(IReadOnlyDictionary<Guid, TransactionState> transactions) => Ends(transactions, RefundId);
    }

    /// <summary>The provider refused the refund: what it took from the wallet and fee income goes back, and its payment may be refunded by that much again.</summary>
    public sealed record FailRefund(Guid RefundId, Guid PaymentId, Guid ClearingId, Guid FeeIncomeId, string Reason) : MoneyCommand
    {
        public override Guid? Subject => RefundId;

        public override Guid? Related => PaymentId;

        public override IEnumerable<Guid> Accounts(IReadOnlyDictionary<Guid, TransactionState> transactions) =>
            [.. Ends(transactions, RefundId), ClearingId, FeeIncomeId];
    }

    /// <summary>An analyst approved a transaction held for review: a withdrawal or pay-in may go to its bank or provider, a held transfer is captured in full.</summary>
    public sealed record ApproveReview(Guid TransactionId) : MoneyCommand
    {
        public override Guid? Subject => TransactionId;

        public override IEnumerable<Guid> Accounts(IReadOnlyDictionary<Guid, TransactionState> transactions) => Ends(transactions, TransactionId);

        /// <summary>Approval lets money leave the origin (a pay-in has none): not while its holder is under compliance review.</summary>
        public override Guid? Payer(IReadOnlyDictionary<Guid, TransactionState> transactions) => transactions.GetValueOrDefault(TransactionId)?.OriginId;
    }

    /// <summary>An analyst rejected a transaction held for review: its funds are released and it fails, for good.</summary>
    public sealed record RejectReview(Guid TransactionId, string Reason) : MoneyCommand
    {
        public override Guid? Subject => TransactionId;

        public override IEnumerable<Guid> Accounts(IReadOnlyDictionary<Guid, TransactionState> transactions) => Ends(transactions, TransactionId);
    }

    /// <summary>
    /// A loan paid out: the loan's own receivable account (an asset of the platform) rises with the wallet by the principal, and
    /// the origination fee goes from the wallet to fee income. A customer under compliance review is lent nothing.
    /// </summary>
    public sealed record Lend(Guid LoanAccountId, Guid WalletId, Money Principal, Guid FeeIncomeId, Money Fee) : MoneyCommand
    {
        public override IEnumerable<Guid> Accounts(IReadOnlyDictionary<Guid, TransactionState> transactions) => [LoanAccountId, WalletId, FeeIncomeId];

        public override Guid? Payer(IReadOnlyDictionary<Guid, TransactionState> transactions) => WalletId;
    }

    /// <summary>Money from the wallet towards a loan: its receivable falls. Its floor of zero refuses paying more than is owed.</summary>
    public sealed record Repay(Guid WalletId, Guid LoanAccountId, Money Amount) : MoneyCommand
    {
        public override IEnumerable<Guid> Accounts(IReadOnlyDictionary<Guid, TransactionState> transactions) => [WalletId, LoanAccountId];
    }

    /// <summary>Interest or a late fee charged on a loan: its receivable rises with the income account.</summary>
    public sealed record ChargeLoan(Guid LoanAccountId, Guid IncomeId, Money Amount) : MoneyCommand
    {
        public override IEnumerable<Guid> Accounts(IReadOnlyDictionary<Guid, TransactionState> transactions) => [LoanAccountId, IncomeId];
    }

    /// <summary>
    /// A closing entry between the platform's own accounts: a year's income and expense balances moved to retained earnings, or
    /// the same entry undone when the year is reopened. The only command a closed period takes; no wallet is ever in it.
    /// </summary>
    public sealed record CloseBooks(IReadOnlyList<Posting> Postings) : MoneyCommand
    {
        public override IEnumerable<Guid> Accounts(IReadOnlyDictionary<Guid, TransactionState> transactions) => Postings.Select(p => p.AccountId).Distinct();
    }

    /// <summary>A raw change to the books, for the planner's own tests.</summary>
    public sealed record Post(LedgerCommand Books) : MoneyCommand
    {
        public override IEnumerable<Guid> Accounts(IReadOnlyDictionary<Guid, TransactionState> transactions) =>
            Books.Entries.SelectMany(e => e.Postings).Select(p => p.AccountId).Concat(Books.Holds.Select(h => h.AccountId));
    }

    private static IEnumerable<Guid> Ends(IReadOnlyDictionary<Guid, TransactionState> transactions, Guid id) =>
        transactions.TryGetValue(id, out var t) ? new[] { t.OriginId, t.DestinationId }.OfType<Guid>() : [];
}
