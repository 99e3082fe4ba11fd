namespace Finsoft.Ledger.Credit;

/// <summary>How a loan's principal is paid back: the same total every month, or the same principal every month.</summary>
public enum Amortization
{
    EqualInstallments,
    EqualPrincipal,
}

/// <summary>One month's installment of a schedule, in minor units of the loan's currency.</summary>
public sealed record ScheduledInstallment(int Number, DateOnly DueOn, long Principal, long Interest)
{
    public long Total => checked(Principal + Interest);
}

/// <summary>
/// A loan's repayment plan in exact minor units. Interest is the nominal annual rate over twelve on the principal still
/// owed, each month rounded half away from zero to the minor unit; the principal parts add up to the principal exactly,
/// the last installment taking whatever rounding left over. Zero-decimal currencies need nothing special: the
/// arithmetic is in minor units throughout.
/// </summary>
public sealed record LoanSchedule(Money Principal, decimal AnnualRate, Amortization Method, IReadOnlyList<ScheduledInstallment> Installments)
{
    public const int MaxTermMonths = 480;

    public long TotalInterest => Installments.Sum(i => i.Interest);

    public long TotalRepaid => checked(Principal.Minor + TotalInterest);

    /// <summary>The month's interest on a principal still owed, at an annual nominal rate.</summary>
    public static long MonthlyInterest(long owed, decimal annualRate) =>
        (long)decimal.Round(owed * annualRate / 12m, MidpointRounding.AwayFromZero);

    /// <summary>The plan for a loan paid out on <paramref name="start"/>, the first installment due a month later.</summary>
    public static Result<LoanSchedule> Build(Money principal, decimal annualRate, int termMonths, Amortization method, DateOnly start)
    {
        if (termMonths is < 1 or > MaxTermMonths)
        {
            return new LedgerError(LedgerErrorCode.InvalidAmount, $"The term must be between 1 and {MaxTermMonths} months.");
        }
        if (principal.Minor < termMonths)
        {
            return LedgerError.InvalidAmount("The principal must be at least one minor unit per installment.");
        }
        if (annualRate is < 0m or >= 10m)
        {
            return LedgerError.InvalidAmount("The annual rate must be at least 0 and below 10 (1000%).");
        }
        var principals = method == Amortization.EqualPrincipal
            ? EqualPrincipalParts(principal.Minor, termMonths)
            : EqualInstallmentParts(principal.Minor, annualRate, termMonths);
        var installments = new List<ScheduledInstallment>(termMonths);
        var owed = principal.Minor;
        for (var n = 1; n <= termMonths; n++)
        {
            var part = principals[n - 1];
            installments.Add(new ScheduledInstallment(n, start.AddMonths(n), part, MonthlyInterest(owed, annualRate)));
            owed -= part;
        }
        return new LoanSchedule(principal, annualRate, method, installments);
    }

    private static long[] EqualPrincipalParts(long principal, int term)
    {
        var parts = Enumerable.Repeat(principal / term, term).ToArray();
        parts[^1] += principal % term;
        return parts;
    }

    /// <summary>
    /// Each month the annuity payment on what is still owed over the months left, P·r / (1 − (1 + r)^−n), rounded to the minor
    /// unit; the month's principal is that payment less its rounded interest. Worked out afresh each month, the payment stays
    /// level to the minor unit and rounding never piles up into a large (or empty) last month, however long the term; the last
    /// month settles what is owed.
    /// </summary>
    private static long[] EqualInstallmentParts(long principal, decimal annualRate, int term)
    {
        var monthly = annualRate / 12m;
        var parts = new long[term];
        var owed = principal;
        for (var n = 0; n < term - 1; n++)
        {
            var left = term - n;
            var payment = monthly == 0m
                ? owed / left
                : (long)decimal.Round(owed * monthly / (1m - Power(1m / (1m + monthly), left)), MidpointRounding.AwayFromZero);
            // Rounding can leave the payment a unit short of the interest on a tiny loan; principal is never negative.
            parts[n] = Math.Clamp(payment - MonthlyInterest(owed, annualRate), 0, owed);
            owed -= parts[n];
        }
        parts[^1] = owed;
        return parts;
    }

    /// <summary>x^n for 0 &lt; x ≤ 1: the discount factor shrinks towards zero, so no term or rate overflows a decimal.</summary>
    private static decimal Power(decimal x, int n)
    {
        var result = 1m;
        for (var i = 0; i < n; i++)
        {
            result *= x;
        }
        return result;
    }
}
