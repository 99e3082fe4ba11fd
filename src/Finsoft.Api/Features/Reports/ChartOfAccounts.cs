using Finsoft.Api.MoneyPath.Store;
using Finsoft.Api.Infrastructure.Persistence;

namespace Finsoft.Api.Features.Reports;

public enum AccountClass
{
    Asset,
    Liability,
    Equity,
    Income,
}

/// <summary>
/// Where each ledger account sits in the statements. Customer wallets are one control account (the
/// platform owes their balances: a liability); the settlement bank is the platform's cash; admin
/// balance adjustments and fees on pay-ins are the platform's gain or loss, so they flow through the income
/// statement into retained earnings (equity), where each closed fiscal year's closing entry moves them; what payment providers owe the platform (clearing) is an asset, and so is
/// what borrowers owe on their loans (one receivable account per loan, one line here), whose interest and fees are income.
/// </summary>
public static class ChartOfAccounts
{
    public const string CustomerWallets = "customer_wallets";

    /// <summary>The report line of an account: its system code, or the wallets' control account.</summary>
    public static string LineOf(string kind, string? systemCode) => kind == AccountKind.Wallet ? CustomerWallets : systemCode ?? "unknown";

    /// <summary>The accounts whose balances make the income statement, and that a year's closing entry empties into retained earnings.</summary>
    public static readonly IReadOnlyList<string> IncomeAccounts =
        [SystemAccounts.Adjustments, SystemAccounts.FeeIncome, SystemAccounts.LoanInterestIncome, SystemAccounts.LoanFeeIncome];

    public static AccountClass ClassOf(string line) => line switch
    {
        SystemAccounts.BankSettlement or SystemAccounts.ProviderClearing or SystemAccounts.LoansReceivable => AccountClass.Asset,
        CustomerWallets => AccountClass.Liability,
        _ when IncomeAccounts.Contains(line) => AccountClass.Income,
        SystemAccounts.FxConversion or SystemAccounts.RetainedEarnings => AccountClass.Equity,
        _ => AccountClass.Equity, // a system account this chart does not know yet: shown, never dropped
    };

    /// <summary>Debit-normal classes read a balance as debits − credits; the others as credits − debits.</summary>
    public static long NormalBalance(string line, long debits, long credits) =>
        ClassOf(line) == AccountClass.Asset ? checked(debits - credits) : checked(credits - debits);
}
