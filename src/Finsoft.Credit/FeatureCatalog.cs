using System.Globalization;

namespace Finsoft.Credit;

/// <summary>
/// One scorecard characteristic: how a profile's value falls into bins, and the words a reason uses for it. Numeric
/// features cut at fixed edges (a value below an edge falls before it) chosen for how a person reads them; a categorical
/// one has a bin per category. Fixed bins keep a reason stable from one trained model to the next.
/// </summary>
public sealed record FeatureDefinition(string Name, string Description, double[] Edges, IReadOnlyList<string>? Categories,
    Func<CreditProfile, double?>? Number, Func<CreditProfile, string?>? Category, string Unit = "")
{
    public int BinCount => Categories?.Count ?? Edges.Length + 2; // numeric: the cuts' bins and one for "not known"

    public int BinOf(CreditProfile profile)
    {
        if (Categories is { } categories)
        {
            var category = Category!(profile);
            for (var i = 0; i < categories.Count; i++)
            {
                if (categories[i] == category)
                {
                    return i;
                }
            }
            return categories.Count - 1; // an unknown category counts as the last ("other")
        }
        if (Number!(profile) is not { } value || double.IsNaN(value))
        {
            return Edges.Length + 1;
        }
        var bin = 0;
        while (bin < Edges.Length && value >= Edges[bin])
        {
            bin++;
        }
        return bin;
    }

    public string LabelOf(int bin)
    {
        if (Categories is { } categories)
        {
            return categories[bin].Replace('_', ' ');
        }
        string F(double x) => x.ToString("0.##", CultureInfo.InvariantCulture) + Unit;
        if (bin == Edges.Length + 1)
        {
            return "not known";
        }
        return bin == 0 ? $"below {F(Edges[0])}"
            : bin == Edges.Length ? $"{F(Edges[^1])} or more"
            : $"{F(Edges[bin - 1])} to below {F(Edges[bin])}";
    }

    public object? ValueOf(CreditProfile profile) => Categories is null ? Number!(profile) : Category!(profile);
}

/// <summary>The scorecard's characteristics, in the order models store them.</summary>
public static class FeatureCatalog
{
    private static FeatureDefinition Numeric(string name, string description, Func<CreditProfile, double?> value, string unit, params double[] edges) =>
        new(name, description, edges, null, value, null, unit);

    public static readonly IReadOnlyList<FeatureDefinition> All =
    [
        Numeric("debt_to_income", "Monthly expenses to income", p => p.DebtToIncome, "", 0.3, 0.45, 0.6, 0.8),
        Numeric("loan_to_income", "Amount asked for, in months of income", p => p.LoanToIncome, "", 1, 3, 6, 12),
        Numeric("employment_months", "Time in current employment", p => p.EmploymentMonths, " months", 6, 12, 36, 84),
        Numeric("term_months", "Term asked for", p => p.TermMonths, " months", 12, 24, 48),
        new("purpose", "Purpose of the loan", [], CreditProfile.Purposes, null, p => p.Purpose),
        Numeric("balance_to_income", "Average balance (90 days), in months of income", p => p.BalanceToIncome, "", 0.1, 0.5, 1, 3),
        Numeric("min_balance_to_income", "Lowest balance (90 days), in months of income", p => p.MinBalanceToIncome, "", 0, 0.05, 0.25, 1),
        Numeric("inflow_months", "Months with money coming in (of the last 6)", p => p.InflowMonths, "", 2, 4, 6),
        Numeric("overdraft_days", "Days overdrawn (of the last 90)", p => p.OverdraftDays, " days", 1, 5, 20),
        Numeric("records_expense_ratio", "Recorded expenses to recorded income (90 days)", p => p.RecordsExpenseRatio, "", 0.5, 0.8, 1, 1.2),
        Numeric("account_age_months", "Time as a Finsoft customer", p => p.AccountAgeMonths, " months", 3, 12, 36),
        Numeric("failed_or_reversed", "Failed or reversed movements (180 days)", p => p.FailedOrReversed, "", 1, 3, 6),
        Numeric("late_installments", "Loan installments paid late", p => p.LateInstallments, "", 1, 3),
        Numeric("loans_repaid", "Finsoft loans paid off", p => p.LoansRepaid, "", 1, 3),
    ];

    public static FeatureDefinition? Find(string name) => All.FirstOrDefault(f => f.Name == name);
}
