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

    private static readonly TransactionState Hold = new(Guid.NewGuid(), TransactionType.Transfer, TransactionStatus.Pending, Alice.Id, Bob.Id,
        new Money(300, Mxn), 300, null, false);

    private static readonly TransactionState Payout = new(Guid.NewGuid(), TransactionType.Withdrawal, TransactionStatus.Processing, Alice.Id, null,
        new Money(300, Mxn), null, Guid.NewGuid(), false);

    private static readonly TransactionState Paid = new(Guid.NewGuid(), TransactionType.Transfer, TransactionStatus.Completed, Bob.Id, Alice.Id,
        new Money(200, Mxn), null, null, false);

    private static BatchPlan Plan(params MoneyCommand[] commands) =>
        BatchPlanner.Plan([Alice, Bob, Dollars, Closed, Bank, Equity, FxUsd], [Hold, Payout, Paid], commands);

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
}
