namespace Finsoft.Ledger.Tests;

/// <summary>Each command kind's rules, decided by the planner against account and transaction states.</summary>
public sealed class MoneyRulesTests
{
    private static readonly Currency Mxn = Currency.Get("MXN");
    private static readonly Currency Usd = Currency.Get("USD");

    private static readonly AccountState Alice = new(Guid.NewGuid(), Mxn, DebitNormal: false, IsOpen: true, new AccountBalance(1_000, 300), 0);
    private static readonly AccountState Bob = new(Guid.NewGuid(), Mxn, DebitNormal: false, IsOpen: true, new AccountBalance(0, 0), 0);
    private static readonly AccountState Dollars = new(Guid.NewGuid(), Usd, DebitNormal: false, IsOpen: true, new AccountBalance(0, 0), 0);
    private static readonly AccountState Closed = new(Guid.NewGuid(), Mxn, DebitNormal: false, IsOpen: false, new AccountBalance(0, 0), 0);
    private static readonly AccountState Bank = new(Guid.NewGuid(), Mxn, DebitNormal: true, IsOpen: true, new AccountBalance(0, 0), null, IsWallet: false);
    private static readonly AccountState Equity = new(Guid.NewGuid(), Mxn, DebitNormal: false, IsOpen: true, new AccountBalance(0, 0), null, IsWallet: false);
    private static readonly AccountState FxUsd = new(Guid.NewGuid(), Usd, DebitNormal: false, IsOpen: true, new AccountBalance(0, 0), null, IsWallet: false);
    private static readonly AccountState LoanAccount = new(Guid.NewGuid(), Mxn, DebitNormal: true, IsOpen: true, new AccountBalance(500, 0), 0, IsWallet: false);

    private static readonly TransactionState Hold = new(Guid.NewGuid(), TransactionType.Transfer, TransactionStatus.Pending, Alice.Id, Bob.Id,
        new Money(300, Mxn), 300, null, false);

    private static readonly TransactionState Payout = new(Guid.NewGuid(), TransactionType.Withdrawal, TransactionStatus.Processing, Alice.Id, null,
        new Money(300, Mxn), null, Guid.NewGuid(), false);

    private static readonly TransactionState Paid = new(Guid.NewGuid(), TransactionType.Transfer, TransactionStatus.Completed, Bob.Id, Alice.Id,
        new Money(200, Mxn), null, null, false);

    private static BatchPlan Plan(params MoneyCommand[] commands) =>
        BatchPlanner.Plan([Alice, Bob, Dollars, Closed, Bank, Equity, FxUsd, LoanAccount], [Hold, Payout, Paid], commands);

    private static LedgerError? Refusal(MoneyCommand command) => Plan(command).Refusals[0]?.Error;

    private static long Delta(BatchPlan plan, AccountState account, bool held = false) =>
        plan.Deltas.Where(d => d.AccountId == account.Id).Select(d => held ? d.Held : d.Balance).SingleOrDefault();

    [Fact]
    public void A_transfer_names_the_side_that_refused_and_why()
    {
        Assert.Equal(LedgerError.OriginNotFound, Refusal(new MoneyCommand.Transfer(Closed.Id, Bob.Id, new Money(1, Mxn))));
        Assert.Equal(LedgerError.OriginNotFound, Refusal(new MoneyCommand.Transfer(Bank.Id, Bob.Id, new Money(1, Mxn)))); // not a wallet
        Assert.Equal(LedgerError.DestinationNotFound, Refusal(new MoneyCommand.Transfer(Alice.Id, Guid.NewGuid(), new Money(1, Mxn))));
        Assert.Equal(LedgerError.SameAccount, Refusal(new MoneyCommand.Transfer(Alice.Id, Alice.Id, new Money(1, Mxn))));
        Assert.Equal(LedgerError.CurrencyMismatch, Refusal(new MoneyCommand.Transfer(Alice.Id, Dollars.Id, new Money(1, Mxn))));
        Assert.Equal(LedgerError.InsufficientFunds, Refusal(new MoneyCommand.Transfer(Alice.Id, Bob.Id, new Money(701, Mxn)))); // 300 of 1,000 held
        var made = Plan(new MoneyCommand.Transfer(Alice.Id, Bob.Id, new Money(700, Mxn)));
        Assert.Equal((-700L, 700L), (Delta(made, Alice), Delta(made, Bob)));
    }

    [Fact]
    public void A_hold_is_captured_or_released_once_and_a_capture_moves_at_most_what_is_held()
    {
        var capture = Plan(new MoneyCommand.Capture(Hold.Id, new Money(250, Mxn)), new MoneyCommand.Release(Hold.Id, MoneyCommand.Release.Voided),
            new MoneyCommand.Capture(Hold.Id, null));
        Assert.Null(capture.Refusals[0]);
        Assert.Equal(LedgerError.HoldAlreadySettled, capture.Refusals[1]!.Error);
        Assert.Equal(LedgerError.HoldAlreadySettled, capture.Refusals[2]!.Error);
        Assert.Equal((-250L, -300L, 250L), (Delta(capture, Alice), Delta(capture, Alice, held: true), Delta(capture, Bob)));
        Assert.Equal(new TransactionState(Hold.Id, TransactionType.Transfer, TransactionStatus.Completed, Alice.Id, Bob.Id, new Money(250, Mxn), 300, null, false),
            capture.Decisions[0]!.Subject);

        Assert.Equal(LedgerErrorCode.InvalidAmount, Refusal(new MoneyCommand.Capture(Hold.Id, new Money(301, Mxn)))!.Code);
        Assert.Equal(LedgerError.TransactionNotFound, Refusal(new MoneyCommand.Capture(Paid.Id, null))); // not a hold
        var released = Plan(new MoneyCommand.Release(Hold.Id, MoneyCommand.Release.Expired));
        Assert.Equal((0L, -300L), (Delta(released, Alice), Delta(released, Alice, held: true)));
        Assert.Equal(TransactionStatus.Failed, released.Decisions[0]!.Subject!.Status);
    }

    [Fact]
    public void A_payout_settles_or_fails_only_while_in_flight_under_its_own_reference_and_a_retry_holds_again()
    {
        Assert.Equal(MoneyRules.PayoutNotInFlight, Refusal(new MoneyCommand.SettlePayout(Payout.Id, Guid.NewGuid(), Bank.Id)));
        var settled = Plan(new MoneyCommand.SettlePayout(Payout.Id, Payout.PayoutReference!.Value, Bank.Id),
            new MoneyCommand.RejectPayout(Payout.Id, Payout.PayoutReference!.Value, "late"));
        Assert.Equal((-300L, -300L, -300L), (Delta(settled, Alice), Delta(settled, Alice, held: true), Delta(settled, Bank)));
        Assert.Equal(MoneyRules.PayoutNotInFlight, settled.Refusals[1]!.Error);

        var rejectedThenRetried = Plan(new MoneyCommand.RejectPayout(Payout.Id, Payout.PayoutReference!.Value, "no such account"),
            new MoneyCommand.RetryPayout(Payout.Id, Guid.NewGuid()), new MoneyCommand.RetryPayout(Payout.Id, Guid.NewGuid()));
        Assert.Null(rejectedThenRetried.Refusals[0]);
        Assert.Null(rejectedThenRetried.Refusals[1]);
        Assert.Equal(MoneyRules.AlreadyRetried, rejectedThenRetried.Refusals[2]!.Error);
        Assert.Equal(0, Delta(rejectedThenRetried, Alice, held: true)); // released, then held again
        Assert.Equal(TransactionStatus.Pending, rejectedThenRetried.Decisions[1]!.Subject!.Status);
    }

    [Fact]
    public void A_withdrawal_or_deposit_needs_an_open_wallet_and_a_withdrawal_only_what_is_available()
    {
        Assert.Equal(LedgerError.OriginNotFound, Refusal(new MoneyCommand.Withdraw(Closed.Id, new Money(1, Mxn))));
        Assert.Equal(LedgerError.InsufficientFunds, Refusal(new MoneyCommand.Withdraw(Alice.Id, new Money(701, Mxn))));
        Assert.Equal(LedgerError.AccountNotFound, Refusal(new MoneyCommand.Deposit(Bank.Id, Closed.Id, new Money(1, Mxn))));
        Assert.Equal(LedgerError.CurrencyMismatch, Refusal(new MoneyCommand.Deposit(Bank.Id, Dollars.Id, new Money(1, Mxn))));
        var deposit = Plan(new MoneyCommand.Deposit(Bank.Id, Bob.Id, new Money(50, Mxn)));
        Assert.Equal((50L, 50L), (Delta(deposit, Bank), Delta(deposit, Bob)));
    }

    [Fact]
    public void A_transfer_is_reversed_once_and_only_while_the_receiver_still_has_the_money()
    {
        var twice = Plan(new MoneyCommand.Reverse(Paid.Id), new MoneyCommand.Reverse(Paid.Id));
        Assert.Null(twice.Refusals[0]);
        Assert.Equal(LedgerError.AlreadyReversed, twice.Refusals[1]!.Error);
        Assert.Equal((-200L, 200L), (Delta(twice, Alice), Delta(twice, Bob)));
        Assert.Equal(LedgerError.NotReversible, Refusal(new MoneyCommand.Reverse(Hold.Id))); // still pending
        Assert.Equal(LedgerError.NotReversible, Refusal(new MoneyCommand.Reverse(Payout.Id)));
        // Alice spends what she received first: the reversal finds her short.
        var spent = Plan(new MoneyCommand.Transfer(Alice.Id, Bob.Id, new Money(600, Mxn)), new MoneyCommand.Reverse(Paid.Id));
        Assert.Equal(LedgerError.ReceiverLacksFunds, spent.Refusals[1]!.Error);
        // A conversion is not sent back in one currency: the refusal says so, not that an account is closed.
        var converted = Paid with { Id = Guid.NewGuid(), DestinationId = Dollars.Id, Converted = true };
        var conversion = BatchPlanner.Plan([Alice, Bob, Dollars], [converted], [new MoneyCommand.Reverse(converted.Id)]);
        Assert.Equal(LedgerErrorCode.NotReversible, conversion.Refusals[0]!.Error.Code);
        Assert.Contains("cross-currency", conversion.Refusals[0]!.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_adjustment_posts_the_difference_and_cannot_go_below_what_is_held()
    {
        var up = Plan(new MoneyCommand.Adjust(Alice.Id, Equity.Id, 1_500));
        Assert.Equal((500L, -500L), (Delta(up, Alice), Delta(up, Equity)));
        Assert.Equal(new Money(500, Mxn), up.Decisions[0]!.Moved);
        var same = Plan(new MoneyCommand.Adjust(Alice.Id, Equity.Id, 1_000));
        Assert.Empty(same.Decisions[0]!.Books.Entries);
        Assert.Equal(LedgerErrorCode.InsufficientFunds, Refusal(new MoneyCommand.Adjust(Alice.Id, Equity.Id, 299))!.Code);
        Assert.Equal(LedgerError.AccountNotFound, Refusal(new MoneyCommand.Adjust(Bank.Id, Equity.Id, 1)));
    }

    [Fact]
    public void A_conversion_needs_a_usable_quote_and_moves_each_currency_through_its_own_fx_account()
    {
        var fxMxn = Equity.Id;
        var command = new MoneyCommand.Convert(Alice.Id, fxMxn, new Money(600, Mxn), FxUsd.Id, Dollars.Id, new Money(30, Usd), QuoteUsable: true);
        Assert.Equal(MoneyRules.QuoteSpent, Refusal(command with { QuoteUsable = false }));
        Assert.Equal(LedgerError.InsufficientFunds, Refusal(command with { Sent = new Money(701, Mxn) }));
        Assert.Equal(LedgerError.DestinationNotFound, Refusal(command with { DestinationId = Closed.Id }));
        var made = Plan(command);
        Assert.Equal((-600L, 600L, -30L, 30L), (Delta(made, Alice), Delta(made, Equity), Delta(made, FxUsd), Delta(made, Dollars)));
        Assert.Equal(2, made.Decisions[0]!.Books.Entries.Count);
    }

    [Fact]
    public void A_floor_is_set_only_when_met_and_then_binds_the_commands_after_it()
    {
        Assert.Equal(MoneyRules.FloorNotMet, Refusal(new MoneyCommand.SetFloor(Alice.Id, 701)));
        var plan = Plan(new MoneyCommand.SetFloor(Alice.Id, 600), new MoneyCommand.Transfer(Alice.Id, Bob.Id, new Money(101, Mxn)),
            new MoneyCommand.Transfer(Alice.Id, Bob.Id, new Money(100, Mxn)));
        Assert.Equal((Alice.Id, (long?)600), plan.Decisions[0]!.NewFloor);
        Assert.Equal(LedgerError.InsufficientFunds, plan.Refusals[1]!.Error);
        Assert.Null(plan.Refusals[2]);
        Assert.Equal(LedgerError.AccountNotFound, Refusal(new MoneyCommand.SetFloor(Closed.Id, 0)));
    }

    private static readonly AccountState Clearing = new(Guid.NewGuid(), Mxn, DebitNormal: true, IsOpen: true, new AccountBalance(0, 0), null, IsWallet: false);
    private static readonly AccountState Fees = new(Guid.NewGuid(), Mxn, DebitNormal: false, IsOpen: true, new AccountBalance(0, 0), null, IsWallet: false);

    private static TransactionState Payment(TransactionStatus status, long amount = 10_000, long fee = 590, long refunded = 0) =>
        new(Guid.NewGuid(), TransactionType.Payment, status, null, Bob.Id, new Money(amount, Mxn), null, null, false, Fee: fee, Refunded: refunded);

    private static BatchPlan PlanPayments(IEnumerable<TransactionState> transactions, params MoneyCommand[] commands) =>
        BatchPlanner.Plan([Alice, Bob, Dollars, Closed, Clearing, Fees], transactions, commands);

    [Fact]
    public void A_pay_in_moves_nothing_until_its_provider_answers_and_is_settled_or_failed_once()
    {
        Assert.Equal(LedgerError.AccountNotFound, Refusal(new MoneyCommand.OpenPayIn(Closed.Id, new Money(100, Mxn), new Money(3, Mxn))));
        Assert.Equal(LedgerErrorCode.CurrencyMismatch, Refusal(new MoneyCommand.OpenPayIn(Dollars.Id, new Money(100, Mxn), new Money(3, Mxn)))!.Code);
        Assert.Equal(LedgerErrorCode.InvalidAmount, Refusal(new MoneyCommand.OpenPayIn(Bob.Id, new Money(100, Mxn), new Money(100, Mxn)))!.Code);
        Assert.Empty(Plan(new MoneyCommand.OpenPayIn(Bob.Id, new Money(100, Mxn), new Money(3, Mxn))).Deltas);

        var processing = Payment(TransactionStatus.Processing);
        var plan = PlanPayments([processing], new MoneyCommand.SettlePayIn(processing.Id, Clearing.Id, Fees.Id),
            new MoneyCommand.SettlePayIn(processing.Id, Clearing.Id, Fees.Id), new MoneyCommand.FailPayIn(processing.Id, "late"));
        Assert.Equal((10_000L, 9_410L, 590L), (Delta(plan, Clearing), Delta(plan, Bob), Delta(plan, Fees)));
        Assert.Equal(MoneyRules.PaymentNotInFlight, plan.Refusals[1]!.Error);
        Assert.Equal(MoneyRules.PaymentNotInFlight, plan.Refusals[2]!.Error); // a failure after success moves nothing backwards
        var failed = PlanPayments([processing], new MoneyCommand.FailPayIn(processing.Id, "declined"), new MoneyCommand.SettlePayIn(processing.Id, Clearing.Id, Fees.Id));
        Assert.Empty(failed.Deltas);
        Assert.Equal(TransactionStatus.Failed, failed.Decisions[0]!.Subject!.Status);
        Assert.Equal(MoneyRules.PaymentNotInFlight, failed.Refusals[1]!.Error);
    }

    [Fact]
    public void Refunds_add_up_to_at_most_the_payment_and_give_back_exactly_its_fee_in_proportion()
    {
        var paid = Payment(TransactionStatus.Completed);
        var bobFunded = Bob with { Balance = new AccountBalance(9_410, 0) };
        var plan = BatchPlanner.Plan([Alice, bobFunded, Clearing, Fees], [paid], [
            new MoneyCommand.Refund(paid.Id, Clearing.Id, Fees.Id, new Money(3_333, Mxn)),
            new MoneyCommand.Refund(paid.Id, Clearing.Id, Fees.Id, new Money(3_333, Mxn)),
            new MoneyCommand.Refund(paid.Id, Clearing.Id, Fees.Id, new Money(3_335, Mxn)), // one cent more than is left
            new MoneyCommand.Refund(paid.Id, Clearing.Id, Fees.Id, null), // the rest
            new MoneyCommand.Refund(paid.Id, Clearing.Id, Fees.Id, null)]);
        Assert.Equal(new long?[] { 196, 197, null, 197, null }, plan.Decisions.Select(d => d?.Moved?.Minor).ToArray()); // ⌊590·k/3⌋ steps
        Assert.Equal(LedgerErrorCode.InvalidAmount, plan.Refusals[2]!.Error.Code);
        Assert.Equal(LedgerErrorCode.InvalidAmount, plan.Refusals[4]!.Error.Code);
        Assert.Equal((-10_000L, -9_410L, -590L), (Delta(plan, Clearing), Delta(plan, bobFunded), Delta(plan, Fees)));
        Assert.Equal(10_000, plan.Decisions[3]!.Subject!.Refunded);

        var processing = Payment(TransactionStatus.Processing);
        Assert.Equal(MoneyRules.NotRefundable, PlanPayments([processing], new MoneyCommand.Refund(processing.Id, Clearing.Id, Fees.Id, null)).Refusals[0]!.Error);
        // The wallet must hold what it gives back: Bob holds nothing here.
        Assert.Equal(LedgerErrorCode.InsufficientFunds, PlanPayments([paid], new MoneyCommand.Refund(paid.Id, Clearing.Id, Fees.Id, null)).Refusals[0]!.Error.Code);
    }

    [Fact]
    public void A_refund_the_provider_refuses_is_booked_back_once_and_may_be_asked_again()
    {
        var paid = Payment(TransactionStatus.Completed, refunded: 3_000) with { FeeRefunded = 177 };
        var refund = new TransactionState(Guid.NewGuid(), TransactionType.Refund, TransactionStatus.Processing, Bob.Id, null, new Money(3_000, Mxn), null, null,
            false, Fee: 177, ReversalOf: paid.Id);
        // Bob kept 9,410 of the payment and 6,587 are left after the refund of 3,000 (less its 177 of the fee) went out.
        var bob = Bob with { Balance = new AccountBalance(6_587, 0) };
        var plan = BatchPlanner.Plan([bob, Clearing, Fees], [paid, refund], [
            new MoneyCommand.FailRefund(refund.Id, paid.Id, Clearing.Id, Fees.Id, "refused"),
            new MoneyCommand.FailRefund(refund.Id, paid.Id, Clearing.Id, Fees.Id, "again"), new MoneyCommand.SettleRefund(refund.Id),
            new MoneyCommand.Refund(paid.Id, Clearing.Id, Fees.Id, new Money(10_000, Mxn))]);
        Assert.Equal(0, plan.Decisions[0]!.Related!.Refunded);
        // Booked back (+3,000 / +2,823 / +177), then the whole payment refunded (-10,000 / -9,410 / -590).
        Assert.Equal((-7_000L, -6_587L, -413L), (Delta(plan, Clearing), Delta(plan, bob), Delta(plan, Fees)));
        Assert.Equal(MoneyRules.RefundNotInFlight, plan.Refusals[1]!.Error);
        Assert.Equal(MoneyRules.RefundNotInFlight, plan.Refusals[2]!.Error);
        Assert.Null(plan.Refusals[3]); // the whole payment is refundable again
        var another = Payment(TransactionStatus.Completed);
        Assert.Equal(LedgerError.TransactionNotFound, PlanPayments([paid, refund, another],
            new MoneyCommand.FailRefund(refund.Id, another.Id, Clearing.Id, Fees.Id, "wrong payment")).Refusals[0]!.Error);
    }

    [Fact]
    public void A_refund_that_failed_leaves_the_fee_to_be_returned_exactly_once()
    {
        // 100.00 paid with a 2.90 fee; 0.01 refunded (no fee), then 99.99 (all 2.90 of it); the 0.01 refund then failed.
        var payment = Payment(TransactionStatus.Completed, fee: 290, refunded: 9_999) with { FeeRefunded = 290 };
        var bob = Bob with { Balance = new AccountBalance(1, 0) };
        var fees = Fees with { Balance = new AccountBalance(0, 0) };
        var plan = BatchPlanner.Plan([bob, Clearing, fees], [payment], [new MoneyCommand.Refund(payment.Id, Clearing.Id, fees.Id, null)]);
        Assert.Equal(0, plan.Decisions[0]!.Moved!.Value.Minor); // the last cent carries no fee: all of it went back already
        Assert.Equal((-1L, 0L), (Delta(plan, bob), Delta(plan, fees)));
    }

    private static readonly TransactionState HeldTransfer = Hold with { Id = Guid.NewGuid(), Review = ReviewState.Open };

    private static readonly TransactionState HeldPayout = Payout with { Id = Guid.NewGuid(), Status = TransactionStatus.Pending, Review = ReviewState.Open };

    private static BatchPlan PlanReviews(params MoneyCommand[] commands) => BatchPlanner.Plan([Alice, Bob], [HeldTransfer, HeldPayout, Hold], commands);

    [Fact]
    public void A_transaction_held_for_review_is_decided_once_by_an_analyst_and_not_by_its_customer()
    {
        // While the review is open, the hold's owner can neither capture nor void it.
        var customer = PlanReviews(new MoneyCommand.Capture(HeldTransfer.Id, null), new MoneyCommand.Release(HeldTransfer.Id, MoneyCommand.Release.Voided));
        Assert.Equal([MoneyRules.HeldForReview, MoneyRules.HeldForReview], customer.Refusals.Select(r => r!.Error));

        var approved = PlanReviews(new MoneyCommand.ApproveReview(HeldTransfer.Id), new MoneyCommand.RejectReview(HeldTransfer.Id, "late"));
        Assert.Equal((-300L, -300L, 300L), (Delta(approved, Alice), Delta(approved, Alice, held: true), Delta(approved, Bob)));
        Assert.Equal((TransactionStatus.Completed, ReviewState.Approved), (approved.Decisions[0]!.Subject!.Status, approved.Decisions[0]!.Subject!.Review));
        Assert.Equal(MoneyRules.NotUnderReview, approved.Refusals[1]!.Error);

        // A held withdrawal: approval moves nothing yet (the bank pays it later); rejection releases its funds and fails it.
        var payout = PlanReviews(new MoneyCommand.ApproveReview(HeldPayout.Id));
        Assert.DoesNotContain(payout.Deltas, d => d.Balance != 0 || d.Held != 0);
        Assert.Equal((TransactionStatus.Pending, ReviewState.Approved), (payout.Decisions[0]!.Subject!.Status, payout.Decisions[0]!.Subject!.Review));
        var rejected = PlanReviews(new MoneyCommand.RejectReview(HeldPayout.Id, "no"));
        Assert.Equal((0L, -300L), (Delta(rejected, Alice), Delta(rejected, Alice, held: true)));
        Assert.Equal((TransactionStatus.Failed, ReviewState.Rejected), (rejected.Decisions[0]!.Subject!.Status, rejected.Decisions[0]!.Subject!.Review));

        // A held pay-in: nothing has moved either way; approval lets its provider be asked, rejection fails it.
        var payIn = new TransactionState(Guid.NewGuid(), TransactionType.Payment, TransactionStatus.Pending, null, Bob.Id, new Money(500, Mxn), null, null, false,
            Fee: 20, Review: ReviewState.Open);
        var payIns = BatchPlanner.Plan([Bob], [payIn], [new MoneyCommand.ApproveReview(payIn.Id)]);
        Assert.Equal((TransactionStatus.Pending, ReviewState.Approved), (payIns.Decisions[0]!.Subject!.Status, payIns.Decisions[0]!.Subject!.Review));
        var refusedPayIn = BatchPlanner.Plan([Bob], [payIn], [new MoneyCommand.RejectReview(payIn.Id, "no")]);
        Assert.Equal((TransactionStatus.Failed, ReviewState.Rejected), (refusedPayIn.Decisions[0]!.Subject!.Status, refusedPayIn.Decisions[0]!.Subject!.Review));
        Assert.DoesNotContain(payIns.Deltas.Concat(refusedPayIn.Deltas), d => d.Balance != 0 || d.Held != 0);

        // Never held, or gone: nothing to decide.
        Assert.Equal(LedgerError.TransactionNotFound, PlanReviews(new MoneyCommand.ApproveReview(Hold.Id)).Refusals[0]!.Error);
        Assert.Equal(LedgerError.TransactionNotFound, PlanReviews(new MoneyCommand.RejectReview(Guid.NewGuid(), "x")).Refusals[0]!.Error);
        // A rejected withdrawal is not sent again by a retry.
        var refused = BatchPlanner.Plan([Alice], [HeldPayout with { Status = TransactionStatus.Failed, Review = ReviewState.Rejected }],
            [new MoneyCommand.RetryPayout(HeldPayout.Id, Guid.NewGuid())]);
        Assert.Equal(MoneyRules.RejectedInReview, refused.Refusals[0]!.Error);
    }

    [Fact]
    public void A_loan_pays_out_its_principal_less_the_fee_and_books_the_fee_as_income()
    {
        var lent = Plan(new MoneyCommand.Lend(LoanAccount.Id, Bob.Id, new Money(1_000, Mxn), Equity.Id, new Money(30, Mxn)));

        Assert.Null(lent.Refusals[0]);
        Assert.Equal((1_000L, 970L, 30L), (Delta(lent, LoanAccount), Delta(lent, Bob), Delta(lent, Equity)));
        Assert.Equal(LedgerError.DestinationNotFound, Refusal(new MoneyCommand.Lend(LoanAccount.Id, Closed.Id, new Money(1_000, Mxn), Equity.Id, new Money(0, Mxn))));
        Assert.Equal(LedgerError.AccountNotFound, Refusal(new MoneyCommand.Lend(Alice.Id, Bob.Id, new Money(1_000, Mxn), Equity.Id, new Money(0, Mxn)))); // a wallet is no loan
        Assert.Equal(LedgerError.CurrencyMismatch, Refusal(new MoneyCommand.Lend(LoanAccount.Id, Dollars.Id, new Money(1_000, Usd), Equity.Id, new Money(0, Usd))));
        Assert.Equal(LedgerErrorCode.InvalidAmount, Refusal(new MoneyCommand.Lend(LoanAccount.Id, Bob.Id, new Money(30, Mxn), Equity.Id, new Money(30, Mxn)))!.Code);
    }

    [Fact]
    public void A_repayment_lowers_what_the_loan_owes_and_never_below_zero()
    {
        var paid = Plan(new MoneyCommand.Repay(Alice.Id, LoanAccount.Id, new Money(500, Mxn)));
        Assert.Null(paid.Refusals[0]);
        Assert.Equal((-500L, -500L), (Delta(paid, Alice), Delta(paid, LoanAccount)));

        var over = Refusal(new MoneyCommand.Repay(Alice.Id, LoanAccount.Id, new Money(501, Mxn)))!;
        Assert.Equal(LedgerErrorCode.InvalidAmount, over.Code);
        Assert.Contains("5.00", over.Message, StringComparison.Ordinal);
        // Two in one batch: the second finds the loan paid.
        Assert.Equal(LedgerErrorCode.InvalidAmount, Plan(new MoneyCommand.Repay(Alice.Id, LoanAccount.Id, new Money(400, Mxn)),
            new MoneyCommand.Repay(Alice.Id, LoanAccount.Id, new Money(200, Mxn))).Refusals[1]!.Error.Code);
        Assert.Equal(LedgerError.InsufficientFunds, Refusal(new MoneyCommand.Repay(Bob.Id, LoanAccount.Id, new Money(1, Mxn))));
        Assert.Equal(LedgerError.OriginNotFound, Refusal(new MoneyCommand.Repay(Closed.Id, LoanAccount.Id, new Money(1, Mxn))));
    }

    [Fact]
    public void A_charge_raises_the_loan_with_income()
    {
        var charged = Plan(new MoneyCommand.ChargeLoan(LoanAccount.Id, Equity.Id, new Money(12, Mxn)));

        Assert.Equal((12L, 12L), (Delta(charged, LoanAccount), Delta(charged, Equity)));
        Assert.Equal(LedgerError.AccountNotFound, Refusal(new MoneyCommand.ChargeLoan(LoanAccount.Id, Alice.Id, new Money(12, Mxn)))); // income is no wallet
        Assert.Equal(LedgerError.CurrencyMismatch, Refusal(new MoneyCommand.ChargeLoan(LoanAccount.Id, FxUsd.Id, new Money(12, Usd))));
    }

    [Fact]
    public void A_closing_entry_moves_between_platform_accounts_only_and_must_balance_in_one_currency()
    {
        var closed = Plan(new MoneyCommand.CloseBooks([Posting.Debit(Equity.Id, new Money(12, Mxn)), Posting.Credit(Bank.Id, new Money(12, Mxn))]));

        Assert.Null(closed.Refusals[0]);
        Assert.Equal((-12L, -12L), (Delta(closed, Equity), Delta(closed, Bank)));
        Assert.Equal(new Money(12, Mxn), closed.Decisions[0]!.Moved);
        Assert.Equal(LedgerError.AccountNotFound, Refusal(new MoneyCommand.CloseBooks(
            [Posting.Debit(Equity.Id, new Money(12, Mxn)), Posting.Credit(Alice.Id, new Money(12, Mxn))]))); // never a wallet
        Assert.Equal(LedgerError.CurrencyMismatch, Refusal(new MoneyCommand.CloseBooks(
            [Posting.Debit(Equity.Id, new Money(12, Mxn)), Posting.Credit(FxUsd.Id, new Money(12, Usd))])));
        Assert.Equal(LedgerErrorCode.Unbalanced, Refusal(new MoneyCommand.CloseBooks(
            [Posting.Debit(Equity.Id, new Money(12, Mxn)), Posting.Credit(Bank.Id, new Money(11, Mxn))]))!.Code);
    }
}
