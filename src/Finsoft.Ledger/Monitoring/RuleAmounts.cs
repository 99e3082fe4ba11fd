namespace Finsoft.Ledger.Monitoring;

/// <summary>
/// The amounts of a set of rules in one currency, in its minor units, read once (null where a rule names no amount for it):
/// a node holds them for each currency for as long as the rules are in force, so deciding a movement parses nothing.
/// </summary>
public sealed record RuleAmounts(long? HardLimitLow, long? HardLimitMedium, long? HardLimitHigh, long? DayAmount, long? NewDestination,
    long? StructuringThreshold, int StructuringBandPercent, long? Dormant)
{
    public static RuleAmounts Of(MonitoringRules rules, Currency currency)
    {
        long? HardLimit(string level) => rules.HardLimit.GetValueOrDefault(level) is { } limits ? MonitoringRules.AmountFor(limits, currency) : null;
        return new RuleAmounts(HardLimit("low"), HardLimit("medium"), HardLimit("high"), MonitoringRules.AmountFor(rules.Velocity.DayAmount, currency),
            MonitoringRules.AmountFor(rules.NewDestination.Amount, currency), MonitoringRules.AmountFor(rules.Structuring.Threshold, currency),
            rules.Structuring.BandPercent, MonitoringRules.AmountFor(rules.Dormant.Amount, currency));
    }

    public long? HardLimit(RiskLevel level) => level switch
    {
        RiskLevel.Low => HardLimitLow,
        RiskLevel.Medium => HardLimitMedium,
        _ => HardLimitHigh,
    };

    /// <summary>Whether an amount falls in the band just under the structuring threshold.</summary>
    public bool JustUnder(long minor) => StructuringThreshold is { } threshold
        && minor < threshold && minor >= threshold - threshold * StructuringBandPercent / 100;
}
