using System.Globalization;
using Finsoft.Api.Features.Analytics;
using Finsoft.Api.Features.Reports;
using Finsoft.Api.Infrastructure.Documents;

namespace Finsoft.Api.Features.ReportJobs;

/// <summary>Each report's answer laid out as a printed table: what it covers as facts, its lines as rows, its totals at the end.</summary>
public static class ReportLayouts
{
    private static string Moment(DateTime at) => at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static string Period(DateTime? from, DateTime to) => from is { } f ? $"{Moment(f)} to {Moment(to)}" : $"up to {Moment(to)}";

    private static string Count(long n) => n.ToString(CultureInfo.InvariantCulture);

    public static TableDocument Of(AccountingReports.TrialBalance r) => new(
        "Trial balance", [new("Currency", r.Currency), new("As of", Moment(r.AsOf))],
        [new("Account", 30), new("Class", 14), new("Debits", 18, Numeric: true), new("Credits", 18, Numeric: true), new("Balance", 18, Numeric: true)],
        [.. r.Accounts.Select(a => (IReadOnlyList<string?>)[a.Account, a.Class, a.Debits, a.Credits, a.Balance])],
        [new("Total debits", r.TotalDebits, r.Currency), new("Total credits", r.TotalCredits, r.Currency), new("Balanced", r.Balanced ? "yes" : "NO")]);

    public static TableDocument Of(AccountingReports.BalanceSheet r) => new(
        "Balance sheet", [new("Currency", r.Currency), new("As of", Moment(r.AsOf))],
        [new("Section", 16), new("Account", 40), new("Amount", 20, Numeric: true)],
        [.. Section("Assets", r.Assets), .. Section("Liabilities", r.Liabilities), .. Section("Equity", r.Equity)],
        [
            new("Total assets", r.TotalAssets, r.Currency), new("Total liabilities", r.TotalLiabilities, r.Currency),
            new("Total equity", r.TotalEquity, r.Currency), new("Balanced", r.Balanced ? "yes" : "NO"),
        ]);

    public static TableDocument Of(AccountingReports.IncomeStatement r) => new(
        "Income statement", [new("Currency", r.Currency), new("Period", Period(r.From, r.AsOf))],
        [new("Account", 50), new("Amount", 20, Numeric: true)],
        [.. r.Income.Select(l => (IReadOnlyList<string?>)[l.Account, l.Amount])],
        [new("Net income", r.NetIncome, r.Currency)]);

    public static TableDocument Of(AccountingReports.CashFlow r) => new(
        "Cash flow", [new("Currency", r.Currency), new("Period", Period(r.From, r.AsOf)), new("Opening cash", r.OpeningCash, r.Currency)],
        [new("Direction", 16), new("Transactions", 40), new("Amount", 20, Numeric: true)],
        [.. Section("Inflows", r.Inflows), .. Section("Outflows", r.Outflows)],
        [new("Net change", r.NetChange, r.Currency), new("Closing cash", r.ClosingCash, r.Currency)]);

    public static TableDocument Of(RevenueAnalytics.Report r) => new(
        "Revenue", [new("Currency", r.Currency), new("Period", Period(r.From, r.To)), new("Interval", r.Interval)],
        [
            new("Start", 16), new("Payment fees", 16, Numeric: true), new("Loan fees", 16, Numeric: true), new("Interest", 16, Numeric: true),
            new("FX", 12, Numeric: true), new("Total", 16, Numeric: true),
        ],
        [.. r.Buckets.Append(r.Totals).Select(b => (IReadOnlyList<string?>)[b.Start, b.PaymentFees, b.LoanFees, b.Interest, b.Fx, b.Total])],
        []);

    public static TableDocument Of(TransactionAnalytics.Report r) => new(
        "Transactions", [new("Currency", r.Currency), new("Period", Period(r.From, r.To))],
        [
            new("By", 10), new("Key", 16), new("Count", 10, Numeric: true), new("Volume", 18, Numeric: true), new("Average", 16, Numeric: true),
            new("P50", 14, Numeric: true), new("P90", 14, Numeric: true), new("P99", 14, Numeric: true),
        ],
        [.. Groups("type", r.ByType), .. Groups("status", r.ByStatus), .. Groups("currency", r.ByCurrency)],
        []);

    public static TableDocument Of(UserAnalytics.Report r) => new(
        "Customers", [new("Period", Period(r.From, r.To)), new("Interval", r.Interval)],
        [new("Start", 20), new("Sign-ups", 14, Numeric: true), new("Active", 14, Numeric: true), new("Moved money", 14, Numeric: true)],
        [.. r.Buckets.Select(b => (IReadOnlyList<string?>)[b.Start, Count(b.Signups), Count(b.Active), Count(b.MovedMoney)])],
        [.. r.Retention.Select(c => new DocumentFact($"Cohort {c.Month}",
            $"{c.Customers} customers; moved money: {string.Join(", ", c.Months.Select(m => $"{m.Month} {m.Share}"))}"))]);

    private static IEnumerable<IReadOnlyList<string?>> Section(string name, IEnumerable<AccountingReports.Line> lines) =>
        lines.Select(l => (IReadOnlyList<string?>)[name, l.Account, l.Amount]);

    private static IEnumerable<IReadOnlyList<string?>> Groups(string by, IEnumerable<TransactionAnalytics.Group> groups) =>
        groups.Select(g => (IReadOnlyList<string?>)[by, g.Key, Count(g.Count), g.Volume, g.Average, g.P50, g.P90, g.P99]);
}
