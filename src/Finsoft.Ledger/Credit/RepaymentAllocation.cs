namespace Finsoft.Ledger.Credit;

/// <summary>One month of a loan as a payment finds it: what it was charged (once it fell due) and what has been paid of each part.</summary>
public sealed record MonthOwed(int Number, bool Charged, long Principal, long Interest, long LateFee, long PrincipalPaid, long InterestPaid, long LateFeePaid)
{
    /// <summary>What the month adds to the loan's receivable: its principal left, and its charges left once charged.</summary>
    public long Owed => checked(Principal - PrincipalPaid + (Charged ? Interest - InterestPaid + LateFee - LateFeePaid : 0));
}

/// <summary>What a payment pays of one month.</summary>
public sealed record MonthPaid(int Number, long Principal, long Interest, long LateFee)
{
    public long Total => checked(Principal + Interest + LateFee);
}

/// <summary>
/// Where a loan payment goes: the months already charged, oldest first, each its interest, then its late fee, then its
/// principal; what is left pays principal of the months not yet charged from the last month back, so paying early shortens
/// the loan and the interest later months are charged falls with the principal still owed.
/// </summary>
public static class RepaymentAllocation
{
    public static Result<IReadOnlyList<MonthPaid>> Allocate(IReadOnlyList<MonthOwed> months, long amount)
    {
        if (amount <= 0)
        {
            return LedgerError.InvalidAmount("A repayment must be more than zero.");
        }
        var owed = months.Sum(m => m.Owed);
        if (amount > owed)
        {
            return LedgerError.InvalidAmount($"The repayment is more than the {owed} minor units the loan owes.");
        }
        var left = amount;
        var paid = new Dictionary<int, MonthPaid>();
        foreach (var month in months.Where(m => m.Charged).OrderBy(m => m.Number))
        {
            var interest = Take(ref left, month.Interest - month.InterestPaid);
            var fee = Take(ref left, month.LateFee - month.LateFeePaid);
            var principal = Take(ref left, month.Principal - month.PrincipalPaid);
            paid[month.Number] = new MonthPaid(month.Number, principal, interest, fee);
        }
        foreach (var month in months.Where(m => !m.Charged).OrderByDescending(m => m.Number))
        {
            paid[month.Number] = new MonthPaid(month.Number, Take(ref left, month.Principal - month.PrincipalPaid), 0, 0);
        }
        return paid.Values.Where(p => p.Total > 0).OrderBy(p => p.Number).ToList();
    }

    /// <summary>The loan's principal still owed: the base of the next month's interest.</summary>
    public static long PrincipalOwed(IEnumerable<MonthOwed> months) => months.Sum(m => checked(m.Principal - m.PrincipalPaid));

    private static long Take(ref long left, long due)
    {
        var taken = Math.Min(left, due);
        left -= taken;
        return taken;
    }
}
