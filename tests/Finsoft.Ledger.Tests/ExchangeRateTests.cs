namespace Finsoft.Ledger.Tests;

public sealed class ExchangeRateTests
{
    private static readonly Currency Usd = Currency.Get("USD");
    private static readonly Currency Mxn = Currency.Get("MXN");
    private static readonly Currency Jpy = Currency.Get("JPY");
    private static readonly Currency Kwd = Currency.Get("KWD");

    [Theory]
    [InlineData("USD", "MXN", "17.25", 100_00, 1725_00)] // 100.00 USD → 1,725.00 MXN
    [InlineData("USD", "JPY", "151.5", 1_01, 153)] // 1.01 × 151.5 = 153.015 → 153 JPY
    [InlineData("MXN", "KWD", "0.0178", 1000_00, 17_800)] // 1,000.00 MXN → 17.800 KWD
    [InlineData("JPY", "USD", "0.0066", 12345, 81_48)] // 12,345 × 0.0066 = 81.477 → 81.48 USD
    [InlineData("USD", "MXN", "17.125", 1, 17)] // 0.01 × 17.125 = 0.17125 MXN → 17.125 minor → 17 (half-even)
    [InlineData("USD", "MXN", "17.5", 1, 18)] // 17.5 minor → 18 (half-even: to the even neighbour)
    [InlineData("USD", "MXN", "16.5", 1, 16)] // 16.5 minor → 16 (half-even)
    public void Conversion_is_exact_and_rounds_half_to_even_once(string from, string to, string rate, long minor, long expected)
    {
        Assert.True(ExchangeRate.TryParseRate(rate, out var value, out _));
        var converted = new ExchangeRate(Currency.Get(from), Currency.Get(to), value).Convert(new Money(minor, Currency.Get(from)));
        Assert.Equal(new Money(expected, Currency.Get(to)), converted);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("1e3")]
    [InlineData("1.0000000000001")] // 13 places
    [InlineData("2000000000")]
    [InlineData("NaN")]
    public void Bad_rates_are_refused(string text) => Assert.False(ExchangeRate.TryParseRate(text, out _, out _));

    [Fact]
    public void Amounts_that_round_to_nothing_or_overflow_do_not_convert()
    {
        Assert.Null(new ExchangeRate(Jpy, Kwd, 0.0000001m).Convert(new Money(1, Jpy)));
        Assert.Null(new ExchangeRate(Kwd, Jpy, 1_000_000_000m).Convert(new Money(long.MaxValue, Kwd)));
        Assert.Equal(new ExchangeRate(Mxn, Usd, 0.057971014493m), new ExchangeRate(Usd, Mxn, 17.25m).Inverse());
    }
}
