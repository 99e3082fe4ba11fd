using Finsoft.Ledger.Monitoring;

namespace Finsoft.Ledger.Tests;

/// <summary>Each monitoring rule on its own, firing and not, with the default rules.</summary>
public sealed class TransactionMonitorTests
{
    private static readonly Currency Mxn = Currency.Get("MXN");
    private static readonly MonitoringRules Rules = new();

    private static MovementFacts Quiet(string amount, RiskLevel level = RiskLevel.Low) =>
        new(Money.Parse(amount, Mxn).Value, level, 0, 0, 0, 0, NewDestination: false, Dormant: false);

    private static string[] Fired(MovementFacts facts) => TransactionMonitor.Assess(facts, Rules).Fired.Select(f => f.Rule).ToArray();

    [Fact]
    public void A_hard_limit_by_risk_level_blocks_outright()
    {
        Assert.Equal(RiskOutcome.Allow, TransactionMonitor.Assess(Quiet("50000.00", RiskLevel.High), Rules).Outcome);
        var blocked = TransactionMonitor.Assess(Quiet("50000.01", RiskLevel.High), Rules);
        Assert.Equal((RiskOutcome.Block, 100, "hard_limit"), (blocked.Outcome, blocked.Score, blocked.Fired.Single().Rule));
        Assert.Contains("high-risk", blocked.Reasons);
        Assert.Equal(RiskOutcome.Allow, TransactionMonitor.Assess(Quiet("50000.01", RiskLevel.Medium), Rules).Outcome);
        Assert.Equal(RiskOutcome.Block, TransactionMonitor.Assess(Quiet("250000.01", RiskLevel.Medium), Rules).Outcome);
    }

    [Fact]
    public void Velocity_counts_and_sums_fire_past_their_limits()
    {
        Assert.Empty(Fired(Quiet("10.00") with { MovementsLastHour = 29, MovementsLastDay = 199, AmountLastDay = 49_999_000 }));
        Assert.Equal(["velocity_hour"], Fired(Quiet("10.00") with { MovementsLastHour = 30 }));
        Assert.Equal(["velocity_day"], Fired(Quiet("10.00") with { MovementsLastDay = 200 }));
        Assert.Equal(["velocity_amount"], Fired(Quiet("10.00") with { AmountLastDay = 49_999_001 }));
        // Two together reach the review score; the hour's 40 alone does not.
        Assert.Equal(RiskOutcome.Allow, TransactionMonitor.Assess(Quiet("10.00") with { MovementsLastHour = 30 }, Rules).Outcome);
        Assert.Equal(RiskOutcome.Review, TransactionMonitor.Assess(Quiet("10.00") with { MovementsLastHour = 30, MovementsLastDay = 200 }, Rules).Outcome);
    }

    [Fact]
    public void A_large_amount_to_a_new_destination_and_a_dormant_account_waking_up_fire_only_when_large()
    {
        Assert.Empty(Fired(Quiet("49999.99") with { NewDestination = true }));
        Assert.Equal(["new_destination"], Fired(Quiet("50000.00") with { NewDestination = true }));
        Assert.Empty(Fired(Quiet("50000.00")));
        Assert.Empty(Fired(Quiet("9999.99") with { Dormant = true }));
        Assert.Equal(["dormant_account"], Fired(Quiet("10000.00") with { Dormant = true }));
        var both = TransactionMonitor.Assess(Quiet("60000.00") with { NewDestination = true, Dormant = true }, Rules);
        Assert.Equal((70, RiskOutcome.Review), (both.Score, both.Outcome));
    }

    [Fact]
    public void Several_amounts_just_under_the_threshold_in_a_day_are_structuring()
    {
        Assert.True(RuleAmounts.Of(Rules, Mxn).JustUnder(Money.Parse("9000.00", Mxn).Value.Minor));
        Assert.False(RuleAmounts.Of(Rules, Mxn).JustUnder(Money.Parse("8999.99", Mxn).Value.Minor));
        Assert.False(RuleAmounts.Of(Rules, Mxn).JustUnder(Money.Parse("10000.00", Mxn).Value.Minor));
        Assert.Empty(Fired(Quiet("9500.00") with { JustUnderLastDay = 1 })); // the second
        Assert.Equal(["structuring"], Fired(Quiet("9500.00") with { JustUnderLastDay = 2 })); // the third
        Assert.Empty(Fired(Quiet("5000.00") with { JustUnderLastDay = 5 })); // this one is not near the threshold
        Assert.Equal(RiskOutcome.Review, TransactionMonitor.Assess(Quiet("9500.00") with { JustUnderLastDay = 2 }, Rules).Outcome);
    }

    [Fact]
    public void Rules_name_their_problems_and_amounts_apply_per_currency()
    {
        Assert.Empty(Rules.Problems());
        var bad = Rules with { ReviewScore = 95, BlockScore = 90, Velocity = Rules.Velocity with { DayAmount = new() { ["XYZ"] = "5" } },
            Structuring = Rules.Structuring with { Threshold = new() { ["*"] = "-1" } } };
        Assert.Equal(["block_score", "structuring.threshold", "velocity.day_amount"], bad.Problems().Keys.Order());
        var perCurrency = new Dictionary<string, string> { ["JPY"] = "1000000", ["*"] = "10000.00" };
        Assert.Equal(1_000_000, MonitoringRules.AmountFor(perCurrency, Currency.Get("JPY")));
        Assert.Equal(1_000_000, MonitoringRules.AmountFor(perCurrency, Mxn));
        Assert.Null(MonitoringRules.AmountFor([], Mxn));
        // An amount for every currency that a currency without cents cannot write would leave the rule off there: refused.
        var cents = Rules with { HardLimit = new() { ["low"] = new() { ["*"] = "9999.99" } } };
        Assert.Equal(["hard_limit.low"], cents.Problems().Keys);
        Assert.Null(RuleAmounts.Of(cents, Currency.Get("JPY")).HardLimitLow);
        Assert.Equal(10_000, RuleAmounts.Of(Rules with { HardLimit = new() { ["low"] = new() { ["*"] = "10000.00" } } }, Currency.Get("JPY")).HardLimitLow);
    }
}
