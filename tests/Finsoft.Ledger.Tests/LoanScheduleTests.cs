using Finsoft.Ledger.Credit;

namespace Finsoft.Ledger.Tests;

/// <summary>Schedules checked against ones worked out by hand (monthly rate = APR / 12, interest rounded half up to the minor unit).</summary>
public class LoanScheduleTests
{
    private static readonly Currency Usd = Currency.Get("USD");
    private static readonly Currency Jpy = Currency.Get("JPY");
    private static readonly DateOnly January31 = new(2026, 1, 31);

    private static (long Principal, long Interest)[] Rows(LoanSchedule s) => s.Installments.Select(i => (i.Principal, i.Interest)).ToArray();

    [Fact]
    public void Equal_installments_of_1000_usd_at_12_percent_over_3_months()
    {
        // r = 0.01; payment = 100000 · 0.01 / (1 − 1.01⁻³) = 34002.21 → 34002. Interest: 1000; 669.98 → 670; 336.66 → 337.
        var schedule = LoanSchedule.Build(new Money(100_000, Usd), 0.12m, 3, Amortization.EqualInstallments, January31).Value;

        Assert.Equal([(33_002, 1_000), (33_332, 670), (33_666, 337)], Rows(schedule));
        Assert.Equal([34_002, 34_002, 34_003], schedule.Installments.Select(i => i.Total));
        Assert.Equal(2_007, schedule.TotalInterest);
        Assert.Equal(102_007, schedule.TotalRepaid);
    }

    [Fact]
    public void Equal_principal_of_1000_usd_at_12_percent_over_3_months_puts_the_odd_cent_last()
    {
        // 100000 / 3 = 33333 rest 1. Interest: 1000; 666.67 → 667; 333.34 → 333.
        var schedule = LoanSchedule.Build(new Money(100_000, Usd), 0.12m, 3, Amortization.EqualPrincipal, January31).Value;

        Assert.Equal([(33_333, 1_000), (33_333, 667), (33_334, 333)], Rows(schedule));
        Assert.Equal(2_000, schedule.TotalInterest);
    }

    [Fact]
    public void Equal_installments_in_yen_round_to_whole_yen()
    {
        // ¥50,000 at 15%: r = 0.0125, payment = 625 / (1 − 1.0125⁻⁴) = 12,893.0. Interest 625; 471.65 → 472; 316.39 → 316; 159.18 → 159.
        var schedule = LoanSchedule.Build(new Money(50_000, Jpy), 0.15m, 4, Amortization.EqualInstallments, January31).Value;

        Assert.Equal([(12_268, 625), (12_421, 472), (12_577, 316), (12_734, 159)], Rows(schedule));
        Assert.All(schedule.Installments, i => Assert.Equal(12_893, i.Total));
    }

    [Fact]
    public void Equal_principal_in_yen_with_a_remainder()
    {
        // ¥10,001 at 6% over 2: 5000 and 5001. Interest 10001 · 0.005 = 50.005 → 50; 5001 · 0.005 = 25.005 → 25.
        var schedule = LoanSchedule.Build(new Money(10_001, Jpy), 0.06m, 2, Amortization.EqualPrincipal, January31).Value;

        Assert.Equal([(5_000, 50), (5_001, 25)], Rows(schedule));
    }

    [Fact]
    public void Interest_free_loans_split_the_principal()
    {
        var schedule = LoanSchedule.Build(new Money(1_000, Usd), 0m, 3, Amortization.EqualInstallments, January31).Value;

        Assert.Equal([(333, 0), (333, 0), (334, 0)], Rows(schedule));
    }

    [Fact]
    public void Installments_fall_due_monthly_from_the_payout_clamped_to_the_month_end()
    {
        var schedule = LoanSchedule.Build(new Money(100_000, Usd), 0.12m, 3, Amortization.EqualInstallments, January31).Value;

        Assert.Equal([new DateOnly(2026, 2, 28), new DateOnly(2026, 3, 31), new DateOnly(2026, 4, 30)], schedule.Installments.Select(i => i.DueOn));
        Assert.Equal([1, 2, 3], schedule.Installments.Select(i => i.Number));
    }

    [Fact]
    public void Long_equal_installment_schedules_stay_level_to_the_minor_unit_and_never_overflow()
    {
        // Rounding the payment once and keeping it for 360 months let the error grow at the loan's own rate: the last month
        // came out empty (1,000.00 at 12%) or forty times the others (10,000.00 at 24% over 480). Worked out afresh each month
        // from what is still owed, every installment is within a minor unit or two of the first.
        foreach (var (principal, rate, term) in new[] { (100_000L, 0.12m, 360), (1_000_000L, 0.24m, 480), (500_000L, 0.18m, 240), (7_777L, 0.3m, 36) })
        {
            var schedule = LoanSchedule.Build(new Money(principal, Usd), rate, term, Amortization.EqualInstallments, January31).Value;

            var first = schedule.Installments[0].Total;
            Assert.All(schedule.Installments, i => Assert.InRange(i.Total, first - 2, first + 2));
            Assert.Equal(principal, schedule.Installments.Sum(i => i.Principal));
        }
        // At 999% a year over 40 years ((1 + 0.8325)^480 would overflow a decimal) the schedule is still built and exact.
        var extreme = LoanSchedule.Build(new Money(10_000_000, Usd), 9.99m, 480, Amortization.EqualInstallments, January31).Value;
        Assert.Equal(10_000_000, extreme.Installments.Sum(i => i.Principal));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(481)]
    public void A_term_outside_1_to_480_months_is_refused(int term) =>
        Assert.Equal(LedgerErrorCode.InvalidAmount, LoanSchedule.Build(new Money(100_000, Usd), 0.1m, term, Amortization.EqualPrincipal, January31).Error!.Code);

    [Fact]
    public void Fewer_minor_units_than_installments_or_a_negative_rate_is_refused()
    {
        Assert.False(LoanSchedule.Build(new Money(2, Usd), 0.1m, 3, Amortization.EqualPrincipal, January31).IsSuccess);
        Assert.False(LoanSchedule.Build(new Money(100, Usd), -0.1m, 3, Amortization.EqualPrincipal, January31).IsSuccess);
    }

    [Fact]
    public void Any_schedule_repays_the_principal_exactly_and_never_a_negative_part()
    {
        var random = new Random(1301);
        for (var i = 0; i < 2_000; i++)
        {
            var term = random.Next(1, 121);
            var principal = random.NextInt64(term, 50_000_000_00);
            var rate = random.Next(0, 30_000) / 10_000m;
            var method = random.Next(2) == 0 ? Amortization.EqualInstallments : Amortization.EqualPrincipal;

            var schedule = LoanSchedule.Build(new Money(principal, Usd), rate, term, method, January31).Value;

            Assert.Equal(principal, schedule.Installments.Sum(x => x.Principal));
            Assert.All(schedule.Installments, x => Assert.True(x.Principal >= 0 && x.Interest >= 0));
            Assert.Equal(term, schedule.Installments.Count);
        }
    }
}

/// <summary>Where a loan payment goes, month by month.</summary>
public class RepaymentAllocationTests
{
    // Month 1 charged (interest 1,000) and late with a fee of 50; month 2 charged (670), partly paid; month 3 not yet charged.
    private static readonly MonthOwed[] Months =
    [
        new(1, Charged: true, Principal: 33_002, Interest: 1_000, LateFee: 50, PrincipalPaid: 0, InterestPaid: 0, LateFeePaid: 0),
        new(2, Charged: true, Principal: 33_332, Interest: 670, LateFee: 0, PrincipalPaid: 0, InterestPaid: 670, LateFeePaid: 0),
        new(3, Charged: false, Principal: 33_666, Interest: 337, LateFee: 0, PrincipalPaid: 0, InterestPaid: 0, LateFeePaid: 0),
    ];

    [Fact]
    public void A_payment_clears_interest_then_fee_then_principal_of_the_oldest_month_first()
    {
        var paid = RepaymentAllocation.Allocate(Months, 1_100).Value;

        Assert.Equal([new MonthPaid(1, 50, 1_000, 50)], paid);
    }

    [Fact]
    public void What_is_left_after_the_charged_months_pays_principal_from_the_last_month_back()
    {
        var charged = 33_002 + 1_000 + 50 + 33_332;

        var paid = RepaymentAllocation.Allocate(Months, charged + 10_000).Value;

        Assert.Equal([new MonthPaid(1, 33_002, 1_000, 50), new MonthPaid(2, 33_332, 0, 0), new MonthPaid(3, 10_000, 0, 0)], paid);
    }

    [Fact]
    public void Paying_everything_owed_pays_no_interest_on_months_not_yet_charged()
    {
        var owed = Months.Sum(m => m.Owed);

        var paid = RepaymentAllocation.Allocate(Months, owed).Value;

        Assert.Equal(33_002 + 1_000 + 50 + 33_332 + 33_666, owed);
        Assert.Equal(100_000, paid.Sum(p => p.Principal));
        Assert.Equal(0, paid.Single(p => p.Number == 3).Interest);
    }

    [Fact]
    public void More_than_is_owed_or_nothing_is_refused()
    {
        Assert.Equal(LedgerErrorCode.InvalidAmount, RepaymentAllocation.Allocate(Months, Months.Sum(m => m.Owed) + 1).Error!.Code);
        Assert.Equal(LedgerErrorCode.InvalidAmount, RepaymentAllocation.Allocate(Months, 0).Error!.Code);
    }

    [Fact]
    public void The_principal_owed_counts_every_month_unpaid() =>
        Assert.Equal(100_000, RepaymentAllocation.PrincipalOwed(Months));
}
