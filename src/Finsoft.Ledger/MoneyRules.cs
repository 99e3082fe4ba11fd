namespace Finsoft.Ledger;

/// <summary>What a command would do if the accounts allow it: its books and the state its transaction moves to.</summary>
internal sealed record Step(LedgerCommand Books, TransactionState? Subject = null)
{
    /// <summary>The command's related transaction as it stands after (see <see cref="MoneyCommand.Related"/>).</summary>
    public TransactionState? Related { get; init; }

    public Money? Moved { get; init; }

    public (Guid AccountId, long? Floor)? NewFloor { get; init; }

    public Money? Refunded { get; init; }

    public Decision ToDecision(IReadOnlyDictionary<Guid, AccountBalance> after) =>
        new(Books, Subject, after) { Moved = Moved, NewFloor = NewFloor, Refunded = Refunded, Related = Related };
}

/// <summary>
/// The rules of each kind of command: which states of its accounts and transaction it needs, what it
/// does to the books, and, when an account refuses, the reason in the command's own words. The balance
/// rule (holds never negative, available never below the floor) is <see cref="AccountBalance.Apply"/>.
/// </summary>
public static class MoneyRules
{
    internal static Result<Step> Decide(MoneyCommand command, Books books) => command switch
    {
        MoneyCommand.Transfer t => Transfer(t, books),
        MoneyCommand.Capture c => Capture(c, books),
        MoneyCommand.Release r => Release(r, books),
        MoneyCommand.Deposit d => books.Account(d.WalletId) is not { IsOpenWallet: true } ? LedgerError.AccountNotFound
            : new Step(LedgerCommand.Transfer(d.SettlementId, d.WalletId, d.Amount)),
        MoneyCommand.Withdraw w => books.Account(w.WalletId) is not { IsOpenWallet: true } ? LedgerError.OriginNotFound
            : new Step(LedgerCommand.Hold(w.WalletId, w.Amount)),
        MoneyCommand.SettlePayout s => Settle(s, books),
        MoneyCommand.RejectPayout r => Reject(r, books),
        MoneyCommand.RetryPayout r => Retry(r, books),
        MoneyCommand.Reverse r => Reverse(r, books),
        MoneyCommand.Adjust a => Adjust(a, books),
        MoneyCommand.Convert c => Convert(c, books),
        MoneyCommand.SetFloor f => books.Account(f.AccountId) is null or { IsOpen: false } ? LedgerError.AccountNotFound
            : new Step(LedgerCommand.Nothing) { NewFloor = (f.AccountId, f.Floor) },
        MoneyCommand.OpenPayIn o => OpenPayIn(o, books),
        MoneyCommand.SettlePayIn s => SettlePayIn(s, books),
        MoneyCommand.FailPayIn f => InFlight(books, f.PaymentId, TransactionType.Payment, PaymentNotInFlight) is var p && p.IsSuccess
            ? new Step(LedgerCommand.Nothing, p.Value with { Status = TransactionStatus.Failed }) : p.Error!,
        MoneyCommand.Refund r => Refund(r, books),
        MoneyCommand.SettleRefund s => InFlight(books, s.RefundId, TransactionType.Refund, RefundNotInFlight) is var r && r.IsSuccess
            ? new Step(LedgerCommand.Nothing, r.Value with { Status = TransactionStatus.Completed }) : r.Error!,
        MoneyCommand.FailRefund f => FailRefund(f, books),
        MoneyCommand.ApproveReview a => Approve(a, books),
        MoneyCommand.RejectReview r => RejectHeld(r, books),
        MoneyCommand.Lend l => Lend(l, books),
        MoneyCommand.Repay r => Repay(r, books),
        MoneyCommand.ChargeLoan c => ChargeLoan(c, books),
        MoneyCommand.CloseBooks c => CloseBooks(c, books),
        MoneyCommand.Post p => new Step(p.Books),
        _ => throw new ArgumentOutOfRangeException(nameof(command), command, "Unknown command kind"),
    };

    /// <summary>A refusal by one account, in the words of the command that met it.</summary>
    internal static LedgerError Explain(MoneyCommand command, Refusal refusal, Books books)
    {
        var notFound = refusal.Error.Code == LedgerErrorCode.AccountNotFound;
        var lacksFunds = refusal.Error.Code == LedgerErrorCode.InsufficientFunds;
        return command switch
        {
            MoneyCommand.Transfer t when notFound => refusal.AccountId == t.OriginId ? LedgerError.OriginNotFound : LedgerError.DestinationNotFound,
            MoneyCommand.Capture c when notFound => books.Transaction(c.HoldId)?.DestinationId == refusal.AccountId
                ? LedgerError.DestinationNotFound : LedgerError.OriginNotFound,
            MoneyCommand.Withdraw when notFound => LedgerError.OriginNotFound,
            MoneyCommand.Reverse r when refusal.AccountId == books.Transaction(r.OriginalId)?.DestinationId && (lacksFunds || notFound) =>
                lacksFunds ? LedgerError.ReceiverLacksFunds : ReceiverClosed,
            MoneyCommand.Reverse when notFound => SenderClosed,
            MoneyCommand.Adjust when lacksFunds => BelowHeld,
            MoneyCommand.Convert c when notFound => refusal.AccountId == c.DestinationId ? LedgerError.DestinationNotFound : LedgerError.OriginNotFound,
            MoneyCommand.SetFloor when lacksFunds => FloorNotMet,
            MoneyCommand.Refund when lacksFunds => WalletLacksRefund,
            MoneyCommand.Repay r when lacksFunds && refusal.AccountId == r.LoanAccountId => LedgerError.InvalidAmount(
                $"The repayment is more than the loan owes ({Money.Format(books.Account(r.LoanAccountId)!.Balance.Balance, r.Amount.Currency)})."),
            _ => refusal.Error,
        };
    }

    public static readonly LedgerError PayoutNotInFlight = new(LedgerErrorCode.IllegalTransition, "The payout is not in flight under that reference");
    public static readonly LedgerError AlreadyRetried = new(LedgerErrorCode.IllegalTransition, "The withdrawal is already being retried.");
    public static readonly LedgerError QuoteSpent = new(LedgerErrorCode.IllegalTransition, "The quote has expired or was already used; ask for a new one");
    public static readonly LedgerError PaymentNotInFlight = new(LedgerErrorCode.IllegalTransition, "The payment is not waiting for its provider's answer");
    public static readonly LedgerError RefundNotInFlight = new(LedgerErrorCode.IllegalTransition, "The refund is not waiting for its provider's answer");
    public static readonly LedgerError NotUnderReview = new(LedgerErrorCode.IllegalTransition, "The transaction is not waiting for a review decision");
    public static readonly LedgerError HeldForReview = new(LedgerErrorCode.IllegalTransition, "The transfer is held for a compliance review; an analyst decides it");
    public static readonly LedgerError RejectedInReview = new(LedgerErrorCode.IllegalTransition, "A withdrawal rejected in a compliance review cannot be sent again");
    private static readonly LedgerError WalletLacksRefund =
        new(LedgerErrorCode.InsufficientFunds, "The wallet does not hold the funds to refund (the amount less its share of the fee)");
    public static readonly LedgerError NotRefundable = new(LedgerErrorCode.IllegalTransition, "Only a succeeded payment can be refunded");
    public static readonly LedgerError FloorNotMet = new(LedgerErrorCode.LimitNotMet, "The account's available funds are below that floor; it cannot be set now.");
    private static readonly LedgerError BelowHeld = new(LedgerErrorCode.InsufficientFunds, "The balance cannot be set below the funds on hold");
    private static readonly LedgerError SenderClosed = new(LedgerErrorCode.NotReversible, "The original origin account is closed");
    private static readonly LedgerError ConversionNotReversible =
        new(LedgerErrorCode.NotReversible, "A cross-currency transfer cannot be reversed; send the money back at a new quote");
    private static readonly LedgerError ReceiverClosed = new(LedgerErrorCode.NotReversible, "The receiving account is closed");

    private static Result<Step> Transfer(MoneyCommand.Transfer t, Books books)
    {
        if (books.Account(t.OriginId) is not { IsOpenWallet: true } origin)
        {
            return LedgerError.OriginNotFound;
        }
        if (books.Account(t.DestinationId) is not { IsOpenWallet: true } destination)
        {
            return LedgerError.DestinationNotFound;
        }
        if (origin.Id == destination.Id)
        {
            return LedgerError.SameAccount;
        }
        if (origin.Currency != destination.Currency || t.Amount.Currency != origin.Currency)
        {
            return LedgerError.CurrencyMismatch;
        }
        return new Step(t.Hold ? LedgerCommand.Hold(t.OriginId, t.Amount) : LedgerCommand.Transfer(t.OriginId, t.DestinationId, t.Amount));
    }

    private static Result<Step> Capture(MoneyCommand.Capture c, Books books)
    {
        var found = PendingHold(books, c.HoldId);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }
        var hold = found.Value;
        var held = Held(hold);
        var captured = c.Amount ?? held;
        if (captured.Currency != held.Currency || captured.Minor <= 0 || captured.Minor > held.Minor)
        {
            return LedgerError.InvalidAmount($"amount must be more than zero and at most the {Money.Format(held.Minor, held.Currency)} held.");
        }
        return new Step(LedgerCommand.Capture(hold.Id, hold.OriginId!.Value, hold.DestinationId!.Value, held, captured),
            hold with { Status = TransactionStatus.Completed, Amount = captured }) { Moved = captured };
    }

    private static Result<Step> Retry(MoneyCommand.RetryPayout r, Books books)
    {
        if (books.Transaction(r.WithdrawalId) is not { Type: TransactionType.Withdrawal } w)
        {
            return LedgerError.TransactionNotFound;
        }
        if (w.Review == ReviewState.Rejected)
        {
            return RejectedInReview;
        }
        if (!TransactionLifecycle.CanMove(w.Status, TransactionStatus.Pending))
        {
            return AlreadyRetried;
        }
        return new Step(LedgerCommand.Hold(w.OriginId!.Value, w.Amount), w with { Status = TransactionStatus.Pending, PayoutReference = r.NewReference });
    }

    private static Result<Step> Reverse(MoneyCommand.Reverse r, Books books)
    {
        if (books.Transaction(r.OriginalId) is not { } original)
        {
            return LedgerError.TransactionNotFound;
        }
        if (original.Type != TransactionType.Transfer || original.Status != TransactionStatus.Completed)
        {
            return LedgerError.NotReversible;
        }
        if (original.Reversed)
        {
            return LedgerError.AlreadyReversed;
        }
        if (original.Converted)
        {
            return ConversionNotReversible;
        }
        return new Step(LedgerCommand.Transfer(original.DestinationId!.Value, original.OriginId!.Value, original.Amount), original with { Reversed = true });
    }

    private static Result<Step> Adjust(MoneyCommand.Adjust a, Books books)
    {
        if (books.Account(a.WalletId) is not { IsOpenWallet: true } wallet)
        {
            return LedgerError.AccountNotFound;
        }
        long delta;
        try
        {
            delta = checked(a.TargetBalance - wallet.Balance.Balance);
        }
        catch (OverflowException)
        {
            return new LedgerError(LedgerErrorCode.Overflow, "The balance would leave the 64-bit range.");
        }
        if (delta == 0)
        {
            return new Step(LedgerCommand.Nothing) { Moved = new Money(0, wallet.Currency) };
        }
        var amount = new Money(Math.Abs(delta), wallet.Currency);
        var books2 = delta > 0 ? LedgerCommand.Transfer(a.AdjustmentsId, a.WalletId, amount) : LedgerCommand.Transfer(a.WalletId, a.AdjustmentsId, amount);
        return new Step(books2) { Moved = amount };
    }

    private static Result<Step> Convert(MoneyCommand.Convert c, Books books)
    {
        if (books.Account(c.OriginId) is not { IsOpenWallet: true })
        {
            return LedgerError.OriginNotFound;
        }
        if (books.Account(c.DestinationId) is not { IsOpenWallet: true })
        {
            return LedgerError.DestinationNotFound;
        }
        if (!c.QuoteUsable)
        {
            return QuoteSpent;
        }
        return new Step(new LedgerCommand([JournalEntry.Move(c.OriginId, c.FxFromId, c.Sent), JournalEntry.Move(c.FxToId, c.DestinationId, c.Received)], []));
    }

    private static Result<Step> Release(MoneyCommand.Release r, Books books)
    {
        var hold = PendingHold(books, r.HoldId);
        return hold.IsSuccess
            ? new Step(LedgerCommand.Void(hold.Value.Id, hold.Value.OriginId!.Value, Held(hold.Value)), hold.Value with { Status = TransactionStatus.Failed })
            : hold.Error!;
    }

    /// <summary>The bank paid: the held amount leaves the wallet for the settlement account, and the hold goes with it.</summary>
    private static Result<Step> Settle(MoneyCommand.SettlePayout s, Books books)
    {
        var payout = PayoutInFlight(books, s.WithdrawalId, s.Reference);
        if (!payout.IsSuccess)
        {
            return payout.Error!;
        }
        var (wallet, amount) = (payout.Value.OriginId!.Value, payout.Value.Amount);
        return new Step(new LedgerCommand(JournalEntry.Move(wallet, s.SettlementId, amount), [new HoldChange(wallet, checked(-amount.Minor))]),
            payout.Value with { Status = TransactionStatus.Completed });
    }

    private static Result<Step> Reject(MoneyCommand.RejectPayout r, Books books)
    {
        var payout = PayoutInFlight(books, r.WithdrawalId, r.Reference);
        return payout.IsSuccess
            ? new Step(new LedgerCommand([], [new HoldChange(payout.Value.OriginId!.Value, checked(-payout.Value.Amount.Minor))]),
                payout.Value with { Status = TransactionStatus.Failed })
            : payout.Error!;
    }

    private static Result<Step> OpenPayIn(MoneyCommand.OpenPayIn o, Books books)
    {
        if (books.Account(o.WalletId) is not { IsOpenWallet: true } wallet)
        {
            return LedgerError.AccountNotFound;
        }
        if (o.Amount.Currency != wallet.Currency || o.Fee.Currency != wallet.Currency)
        {
            return new LedgerError(LedgerErrorCode.CurrencyMismatch, $"The payment's currency must be the wallet's ({wallet.Currency.Code}).");
        }
        if (o.Amount.Minor <= 0 || o.Fee.Minor < 0 || o.Fee.Minor >= o.Amount.Minor)
        {
            return LedgerError.InvalidAmount($"amount must be more than the fee of {Money.Format(o.Fee.Minor, o.Fee.Currency)}.");
        }
        return new Step(LedgerCommand.Nothing);
    }

    private static Result<Step> SettlePayIn(MoneyCommand.SettlePayIn s, Books books)
    {
        var found = InFlight(books, s.PaymentId, TransactionType.Payment, PaymentNotInFlight);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }
        var payment = found.Value;
        var wallet = payment.DestinationId!.Value;
        var fee = new Money(payment.Fee, payment.Amount.Currency);
        return new Step(new LedgerCommand([JournalEntry.Move(s.ClearingId, wallet, payment.Amount), .. Moves(wallet, s.FeeIncomeId, fee)], []),
            payment with { Status = TransactionStatus.Completed });
    }

    private static Result<Step> Refund(MoneyCommand.Refund r, Books books)
    {
        if (books.Transaction(r.PaymentId) is not { Type: TransactionType.Payment } payment)
        {
            return LedgerError.TransactionNotFound;
        }
        if (payment.Status != TransactionStatus.Completed)
        {
            return NotRefundable;
        }
        var left = checked(payment.Amount.Minor - payment.Refunded);
        var amount = r.Amount ?? new Money(left, payment.Amount.Currency);
        if (amount.Currency != payment.Amount.Currency || amount.Minor <= 0 || amount.Minor > left)
        {
            return LedgerError.InvalidAmount(left == 0
                ? "The payment has been refunded in full."
                : $"amount must be more than zero and at most the {Money.Format(left, payment.Amount.Currency)} left to refund.");
        }
        var feeShare = new Money(RefundedFee(payment, amount.Minor), amount.Currency);
        var wallet = payment.DestinationId!.Value;
        return new Step(new LedgerCommand([.. Moves(wallet, r.ClearingId, amount - feeShare), .. Moves(r.FeeIncomeId, r.ClearingId, feeShare)], []),
            payment with { Refunded = checked(payment.Refunded + amount.Minor), FeeRefunded = checked(payment.FeeRefunded + feeShare.Minor) })
        {
            Moved = feeShare, Refunded = amount,
        };
    }

    private static Result<Step> FailRefund(MoneyCommand.FailRefund f, Books books)
    {
        var found = InFlight(books, f.RefundId, TransactionType.Refund, RefundNotInFlight);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }
        var refund = found.Value;
        if (books.Transaction(f.PaymentId) is not { Type: TransactionType.Payment } payment || refund.ReversalOf != payment.Id)
        {
            return LedgerError.TransactionNotFound;
        }
        var feeShare = new Money(refund.Fee, refund.Amount.Currency);
        return new Step(new LedgerCommand([.. Moves(f.ClearingId, refund.OriginId!.Value, refund.Amount - feeShare), .. Moves(f.ClearingId, f.FeeIncomeId, feeShare)], []),
            refund with { Status = TransactionStatus.Failed })
        {
            Related = payment with { Refunded = checked(payment.Refunded - refund.Amount.Minor), FeeRefunded = checked(payment.FeeRefunded - refund.Fee) },
        };
    }

    private static Result<Step> Lend(MoneyCommand.Lend l, Books books)
    {
        if (books.Account(l.WalletId) is not { IsOpenWallet: true } wallet)
        {
            return LedgerError.DestinationNotFound;
        }
        if (Loan(books, l.LoanAccountId) is not { } loan)
        {
            return LedgerError.AccountNotFound;
        }
        if (wallet.Currency != l.Principal.Currency || loan.Currency != l.Principal.Currency || l.Fee.Currency != l.Principal.Currency)
        {
            return LedgerError.CurrencyMismatch;
        }
        if (l.Principal.Minor <= 0 || l.Fee.Minor < 0 || l.Fee.Minor >= l.Principal.Minor)
        {
            return LedgerError.InvalidAmount("A loan's principal must be more than its origination fee.");
        }
        return new Step(new LedgerCommand([JournalEntry.Move(l.LoanAccountId, l.WalletId, l.Principal), .. Moves(l.WalletId, l.FeeIncomeId, l.Fee)], []))
        {
            Moved = l.Principal,
        };
    }

    private static Result<Step> Repay(MoneyCommand.Repay r, Books books)
    {
        if (books.Account(r.WalletId) is not { IsOpenWallet: true } wallet)
        {
            return LedgerError.OriginNotFound;
        }
        if (Loan(books, r.LoanAccountId) is not { } loan)
        {
            return LedgerError.AccountNotFound;
        }
        if (wallet.Currency != r.Amount.Currency || loan.Currency != r.Amount.Currency)
        {
            return LedgerError.CurrencyMismatch;
        }
        return r.Amount.Minor <= 0 ? LedgerError.InvalidAmount("A repayment must be more than zero.")
            : new Step(LedgerCommand.Transfer(r.WalletId, r.LoanAccountId, r.Amount)) { Moved = r.Amount };
    }

    private static Result<Step> ChargeLoan(MoneyCommand.ChargeLoan c, Books books)
    {
        if (Loan(books, c.LoanAccountId) is not { } loan || books.Account(c.IncomeId) is not { IsWallet: false, IsOpen: true } income)
        {
            return LedgerError.AccountNotFound;
        }
        if (loan.Currency != c.Amount.Currency || income.Currency != c.Amount.Currency)
        {
            return LedgerError.CurrencyMismatch;
        }
        return c.Amount.Minor <= 0 ? LedgerError.InvalidAmount("A charge must be more than zero.")
            : new Step(LedgerCommand.Transfer(c.LoanAccountId, c.IncomeId, c.Amount)) { Moved = c.Amount };
    }

    private static Result<Step> CloseBooks(MoneyCommand.CloseBooks c, Books books)
    {
        if (c.Postings.Any(p => books.Account(p.AccountId) is not { IsWallet: false, IsOpen: true } account || account.Currency != p.Currency))
        {
            return LedgerError.AccountNotFound;
        }
        if (c.Postings.Select(p => p.Currency).Distinct().Count() != 1)
        {
            return LedgerError.CurrencyMismatch;
        }
        var entry = JournalEntry.Create(c.Postings);
        if (!entry.IsSuccess)
        {
            return entry.Error!;
        }
        var debits = c.Postings.Where(p => p.Amount > 0).Aggregate(0L, (sum, p) => checked(sum + p.Amount));
        return new Step(new LedgerCommand(entry.Value, [])) { Moved = new Money(debits, c.Postings[0].Currency) };
    }

    /// <summary>A loan's receivable: an open platform account, debit-normal (an asset), never a wallet.</summary>
    private static AccountState? Loan(Books books, Guid id) => books.Account(id) is { IsOpen: true, IsWallet: false, DebitNormal: true } loan ? loan : null;

    /// <summary>
    /// The part of a payment's fee a refund gives back: the fee in proportion to all refunded with it, rounded
    /// down, less what the refunds not failed already returned — so refunds that add up to the payment return
    /// exactly the fee, whichever of them failed on the way. Never below zero nor above the refund itself.
    /// </summary>
    public static long RefundedFee(TransactionState payment, long amount)
    {
        var due = (long)((Int128)payment.Fee * (payment.Refunded + amount) / payment.Amount.Minor);
        return Math.Clamp(due - payment.FeeRefunded, 0, amount);
    }

    /// <summary>
    /// Approved: a held withdrawal or pay-in goes on to its bank or provider (nothing moves yet); a two-phase transfer its
    /// payer asked for goes back to them to capture or void; a transfer monitoring held is captured in full.
    /// </summary>
    private static Result<Step> Approve(MoneyCommand.ApproveReview a, Books books)
    {
        var found = AwaitingReview(books, a.TransactionId);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }
        var held = found.Value with { Review = ReviewState.Approved };
        if (held.Type is TransactionType.Withdrawal or TransactionType.Payment || held.PayerHold)
        {
            return new Step(LedgerCommand.Nothing, held); // its bank, provider or payer acts now; nothing has moved yet
        }
        var amount = Held(held);
        return new Step(LedgerCommand.Capture(held.Id, held.OriginId!.Value, held.DestinationId!.Value, amount, amount),
            held with { Status = TransactionStatus.Completed }) { Moved = amount };
    }

    /// <summary>Rejected: the funds held for the transaction (none for a pay-in) are released and it fails.</summary>
    private static Result<Step> RejectHeld(MoneyCommand.RejectReview r, Books books)
    {
        var found = AwaitingReview(books, r.TransactionId);
        if (!found.IsSuccess)
        {
            return found.Error!;
        }
        var held = found.Value with { Review = ReviewState.Rejected, Status = TransactionStatus.Failed };
        var books2 = held.Type switch
        {
            TransactionType.Withdrawal => new LedgerCommand([], [new HoldChange(held.OriginId!.Value, checked(-held.Amount.Minor))]),
            TransactionType.Payment => LedgerCommand.Nothing, // a pay-in books nothing until its provider collects
            _ => LedgerCommand.Void(held.Id, held.OriginId!.Value, Held(held)),
        };
        return new Step(books2, held);
    }

    /// <summary>A withdrawal, pay-in or two-phase transfer still pending with its review open.</summary>
    private static Result<TransactionState> AwaitingReview(Books books, Guid id) => books.Transaction(id) switch
    {
        null or { Review: ReviewState.None } => LedgerError.TransactionNotFound,
        { Type: not (TransactionType.Withdrawal or TransactionType.Transfer or TransactionType.Payment) } => LedgerError.TransactionNotFound,
        { Type: TransactionType.Transfer, IsHold: false } => LedgerError.TransactionNotFound,
        { Review: not ReviewState.Open } or { Status: not TransactionStatus.Pending } => NotUnderReview,
        var t => t,
    };

    /// <summary>A move of a positive amount; none for zero (a fee of nothing, a refund that is all fee).</summary>
    private static IEnumerable<JournalEntry> Moves(Guid from, Guid to, Money amount) => amount.Minor > 0 ? [JournalEntry.Move(from, to, amount)] : [];

    /// <summary>A payment or refund handed to its provider and not yet answered; a repeated or late answer finds it settled.</summary>
    private static Result<TransactionState> InFlight(Books books, Guid id, TransactionType type, LedgerError settled) => books.Transaction(id) switch
    {
        { } t when t.Type == type => t.Status == TransactionStatus.Processing ? t : settled,
        _ => LedgerError.TransactionNotFound,
    };

    /// <summary>A two-phase transfer still holding its funds; one already captured, voided or expired is settled.</summary>
    private static Result<TransactionState> PendingHold(Books books, Guid id) => books.Transaction(id) switch
    {
        null or { IsHold: false } => LedgerError.TransactionNotFound,
        { Status: not TransactionStatus.Pending } => LedgerError.HoldAlreadySettled,
        { Review: ReviewState.Open } => HeldForReview,
        var hold => hold,
    };

    /// <summary>A withdrawal the bank is paying under this reference: a repeated answer, or one about an attempt a retry replaced, is not.</summary>
    private static Result<TransactionState> PayoutInFlight(Books books, Guid id, Guid reference) => books.Transaction(id) switch
    {
        null or { Type: not TransactionType.Withdrawal } => LedgerError.TransactionNotFound,
        { Status: not TransactionStatus.Processing } => PayoutNotInFlight,
        var payout when payout.PayoutReference != reference => PayoutNotInFlight,
        var payout => payout,
    };

    private static Money Held(TransactionState hold) => new(hold.Held!.Value, hold.Amount.Currency);
}
