namespace Finsoft.Ledger.Monitoring;

/// <summary>How risky a customer is taken to be; it sets the hard limits and how often they are rescreened.</summary>
public enum RiskLevel
{
    Low,
    Medium,
    High,
}

/// <summary>
/// The rules transaction monitoring applies before money moves, as an admin sets them. Amounts are decimal
/// strings in a currency's major unit, per ISO 4217 code, with <c>"*"</c> for any currency not named (so an operator
/// should name currencies whose unit is far from the others', such as JPY). Scores add up; the outcome is a
/// block at <see cref="BlockScore"/>, a review at <see cref="ReviewScore"/>, else the movement goes through.
/// </summary>
public sealed record MonitoringRules
{
    public bool Enabled { get; init; } = true;

    public int ReviewScore { get; init; } = 50;

    public int BlockScore { get; init; } = 90;

    /// <summary>The largest single movement for a customer of each risk level (<c>low</c>, <c>medium</c>, <c>high</c>): above it, blocked.</summary>
    public Dictionary<string, Dictionary<string, string>> HardLimit { get; init; } = new()
    {
        ["low"] = new() { ["*"] = "1000000.00" },
        ["medium"] = new() { ["*"] = "250000.00" },
        ["high"] = new() { ["*"] = "50000.00" },
    };

    public VelocityRule Velocity { get; init; } = new();

    public NewDestinationRule NewDestination { get; init; } = new();

    public StructuringRule Structuring { get; init; } = new();

    public DormantRule Dormant { get; init; } = new();

    /// <summary>What is wrong with the rules, field by field; empty when they can be used.</summary>
    public Dictionary<string, string[]> Problems()
    {
        // A section sent as null is refused, not taken as its default.
        if (HardLimit is null || HardLimit.Values.Any(v => v is null) || Velocity?.DayAmount is null || NewDestination?.Amount is null
            || Structuring?.Threshold is null || Dormant?.Amount is null
            || new[] { HardLimit.Values.SelectMany(v => v.Values), Velocity.DayAmount.Values, NewDestination.Amount.Values, Structuring.Threshold.Values,
                Dormant.Amount.Values }.SelectMany(v => v).Any(v => v is null))
        {
            return new() { ["rules"] = ["No section, limit or amount may be null; leave a field out to take its default."] };
        }
        var problems = new Dictionary<string, string[]>();
        void Check(bool ok, string field, string message)
        {
            if (!ok)
            {
                problems[field] = [message];
            }
        }
        Check(ReviewScore is >= 1 and <= 100, "review_score", "review_score must be from 1 to 100.");
        Check(BlockScore is >= 1 and <= 100 && BlockScore >= ReviewScore, "block_score", "block_score must be from review_score to 100.");
        Check(HardLimit.Keys.All(k => k is "low" or "medium" or "high"), "hard_limit", "hard_limit is per risk level: low, medium, high.");
        foreach (var (level, amounts) in HardLimit)
        {
            CheckAmounts(problems, $"hard_limit.{level}", amounts);
        }
        Check(Velocity.HourCount >= 1 && Velocity.DayCount >= 1, "velocity", "velocity counts must be at least 1.");
        CheckAmounts(problems, "velocity.day_amount", Velocity.DayAmount);
        CheckAmounts(problems, "new_destination.amount", NewDestination.Amount);
        CheckAmounts(problems, "structuring.threshold", Structuring.Threshold);
        Check(Structuring.BandPercent is >= 1 and <= 50, "structuring.band_percent", "band_percent must be from 1 to 50.");
        Check(Structuring.Count >= 2, "structuring.count", "structuring.count must be at least 2.");
        Check(Dormant.Days >= 1, "dormant.days", "dormant.days must be at least 1.");
        CheckAmounts(problems, "dormant.amount", Dormant.Amount);
        foreach (var (field, score) in new[] { ("velocity.hour_score", Velocity.HourScore), ("velocity.day_score", Velocity.DayScore),
            ("velocity.amount_score", Velocity.AmountScore), ("new_destination.score", NewDestination.Score), ("structuring.score", Structuring.Score),
            ("dormant.score", Dormant.Score) })
        {
            Check(score is >= 0 and <= 100, field, $"{field} must be from 0 to 100.");
        }
        return problems;
    }

    /// <summary>An amount a rule sets for this currency (or for any), in its minor units; null when the rule sets none.</summary>
    public static long? AmountFor(Dictionary<string, string> amounts, Currency currency) =>
        (Named(amounts, currency.Code) ?? Named(amounts, "*")) is { } text && Money.Parse(text, currency) is { IsSuccess: true } money
            ? money.Value.Minor
            : null;

    private static string? Named(Dictionary<string, string> amounts, string code) =>
        amounts.FirstOrDefault(a => string.Equals(a.Key, code, StringComparison.OrdinalIgnoreCase)).Value;

    private static void CheckAmounts(Dictionary<string, string[]> problems, string field, Dictionary<string, string> amounts)
    {
        foreach (var (code, text) in amounts)
        {
            if (code != "*" && Currency.Find(code) is null)
            {
                problems[field] = [$"{code} is not an ISO 4217 currency."];
            }
            else if (Money.ParsePositive(text, Currency.Find(code) ?? Currency.Get("USD")) is { IsSuccess: false })
            {
                problems[field] = [$"{text} is not a positive amount."];
            }
            else if (code == "*" && Money.ParsePositive(text, Currency.Get("JPY")) is { IsSuccess: false })
            {
                // Otherwise the rule would quietly not apply in currencies without cents, where the amount cannot be written.
                problems[field] = [$"{text}: an amount for every currency (\"*\") must be in whole units; name a currency for a finer one."];
            }
        }
    }
}

/// <summary>Many movements, or much money, from one account in a short time.</summary>
public sealed record VelocityRule
{
    public int HourCount { get; init; } = 30;

    public int HourScore { get; init; } = 40;

    public int DayCount { get; init; } = 200;

    public int DayScore { get; init; } = 30;

    public Dictionary<string, string> DayAmount { get; init; } = new() { ["*"] = "500000.00" };

    public int AmountScore { get; init; } = 50;
}

/// <summary>A large amount to somewhere the account has never paid.</summary>
public sealed record NewDestinationRule
{
    public Dictionary<string, string> Amount { get; init; } = new() { ["*"] = "50000.00" };

    public int Score { get; init; } = 40;
}

/// <summary>Several amounts in a day just under a reporting threshold (within <see cref="BandPercent"/> of it).</summary>
public sealed record StructuringRule
{
    public Dictionary<string, string> Threshold { get; init; } = new() { ["*"] = "10000.00" };

    public int BandPercent { get; init; } = 10;

    public int Count { get; init; } = 3;

    public int Score { get; init; } = 60;

}

/// <summary>An account quiet for <see cref="Days"/> that suddenly moves a large amount.</summary>
public sealed record DormantRule
{
    public int Days { get; init; } = 180;

    public Dictionary<string, string> Amount { get; init; } = new() { ["*"] = "10000.00" };

    public int Score { get; init; } = 30;
}
