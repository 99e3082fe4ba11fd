namespace Finsoft.Ledger.Monitoring;

/// <summary>
/// What is known of one movement when it is decided: its amount, its payer's risk level, what the paying account
/// moved before it (in the last hour and day, and how many of those amounts fell just under the structuring
/// threshold), whether it goes somewhere the account never paid, and whether the account had been dormant.
/// </summary>
public sealed record MovementFacts(
    Money Amount, RiskLevel Level, double MovementsLastHour, double MovementsLastDay, long AmountLastDay, double JustUnderLastDay,
    bool NewDestination, bool Dormant);

public enum RiskOutcome
{
    Allow,
    Review,
    Block,
}

/// <summary>A rule that fired: its name, the points it added and why, in words.</summary>
public sealed record FiredRule(string Rule, int Score, string Reason);

public sealed record RiskAssessment(int Score, RiskOutcome Outcome, IReadOnlyList<FiredRule> Fired)
{
    public string Reasons => string.Join("; ", Fired.Select(f => f.Reason));
}

/// <summary>Layered rules on one movement: a hard limit by risk level blocks outright; the other rules add points.</summary>
public static class TransactionMonitor
{
    public static RiskAssessment Assess(MovementFacts facts, MonitoringRules rules) => Assess(facts, rules, RuleAmounts.Of(rules, facts.Amount.Currency));

    /// <param name="amounts">The rules' amounts in the movement's currency, read once for many movements.</param>
    public static RiskAssessment Assess(MovementFacts facts, MonitoringRules rules, RuleAmounts amounts)
    {
        var amount = facts.Amount;
        if (amounts.HardLimit(facts.Level) is { } limit && amount.Minor > limit)
        {
            var level = facts.Level.ToString().ToLowerInvariant();
            return new RiskAssessment(100, RiskOutcome.Block,
                [new FiredRule("hard_limit", 100, $"more than the {Money.Format(limit, amount.Currency)} {amount.Currency.Code} allowed at once for a {level}-risk customer")]);
        }
        var fired = new List<FiredRule>();
        var velocity = rules.Velocity;
        if (facts.MovementsLastHour + 1 > velocity.HourCount)
        {
            fired.Add(new("velocity_hour", velocity.HourScore, $"more than {velocity.HourCount} movements from the account in an hour"));
        }
        if (facts.MovementsLastDay + 1 > velocity.DayCount)
        {
            fired.Add(new("velocity_day", velocity.DayScore, $"more than {velocity.DayCount} movements from the account in a day"));
        }
        if (amounts.DayAmount is { } daily && facts.AmountLastDay + amount.Minor > daily)
        {
            fired.Add(new("velocity_amount", velocity.AmountScore, $"more than {Money.Format(daily, amount.Currency)} {amount.Currency.Code} from the account in a day"));
        }
        if (facts.NewDestination && amounts.NewDestination is { } large && amount.Minor >= large)
        {
            fired.Add(new("new_destination", rules.NewDestination.Score, "a large amount to a destination the account has never paid"));
        }
        if (amounts.JustUnder(amount.Minor) && facts.JustUnderLastDay + 1 >= rules.Structuring.Count)
        {
            fired.Add(new("structuring", rules.Structuring.Score,
                $"{rules.Structuring.Count} or more amounts in a day just under the reporting threshold"));
        }
        if (facts.Dormant && amounts.Dormant is { } woken && amount.Minor >= woken)
        {
            fired.Add(new("dormant_account", rules.Dormant.Score, $"a large amount from an account quiet for {rules.Dormant.Days} days"));
        }
        var score = Math.Min(100, fired.Sum(f => f.Score));
        var outcome = score >= rules.BlockScore ? RiskOutcome.Block : score >= rules.ReviewScore ? RiskOutcome.Review : RiskOutcome.Allow;
        return new RiskAssessment(score, outcome, fired);
    }
}
