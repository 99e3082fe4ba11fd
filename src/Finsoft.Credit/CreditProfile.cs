namespace Finsoft.Credit;

/// <summary>
/// What the scorecard knows of an applicant: the application's own figures, made currency-free as ratios to the monthly
/// income, and the customer's history in Finsoft. A null is a figure that does not exist (no records kept), scored as such.
/// </summary>
public sealed record CreditProfile
{
    /// <summary>Monthly expenses over monthly income.</summary>
    public double DebtToIncome { get; init; }

    /// <summary>The amount asked for, in months of income.</summary>
    public double LoanToIncome { get; init; }

    public double EmploymentMonths { get; init; }

    public double TermMonths { get; init; }

    /// <summary>One of <see cref="Purposes"/>.</summary>
    public string Purpose { get; init; } = "other";

    /// <summary>Average end-of-day balance over the last 90 days, in months of income.</summary>
    public double BalanceToIncome { get; init; }

    /// <summary>Lowest end-of-day balance over the last 90 days, in months of income (below zero: an overdraft used).</summary>
    public double MinBalanceToIncome { get; init; }

    /// <summary>How many of the last six months money came in.</summary>
    public double InflowMonths { get; init; }

    /// <summary>Days of the last 90 that ended below zero (an overdraft line in use).</summary>
    public double OverdraftDays { get; init; }

    /// <summary>Expenses over income in the customer's own records of the last 90 days; null without recorded income.</summary>
    public double? RecordsExpenseRatio { get; init; }

    public double AccountAgeMonths { get; init; }

    /// <summary>Movements of the last 180 days that failed or were reversed.</summary>
    public double FailedOrReversed { get; init; }

    /// <summary>Installments of earlier Finsoft loans that were paid late.</summary>
    public double LateInstallments { get; init; }

    /// <summary>Finsoft loans paid off in full.</summary>
    public double LoansRepaid { get; init; }

    public static readonly IReadOnlyList<string> Purposes =
        ["debt_consolidation", "home_improvement", "education", "medical", "car", "business", "other"];
}
