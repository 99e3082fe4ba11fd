namespace Finsoft.Ledger.Tests;

public class MoneyTests
{
    private static readonly Currency Mxn = Currency.Get("MXN");
    private static readonly Currency Jpy = Currency.Get("JPY");
    private static readonly Currency Kwd = Currency.Get("KWD");

    [Theory]
    [InlineData("MXN", 2)]
    [InlineData("mxn", 2)]
    [InlineData("JPY", 0)]
    [InlineData("KWD", 3)]
    [InlineData("CLF", 4)]
    [InlineData("USD", 2)]
    [InlineData("EUR", 2)]
    public void Currencies_carry_their_iso_4217_exponent(string code, int digits) => Assert.Equal(digits, Currency.Get(code).MinorUnits);

    [Theory]
    [InlineData("XYZ")]
    [InlineData("")]
    [InlineData("MX")]
    [InlineData("XAU")]
    [InlineData(null)]
    public void Unknown_codes_are_not_currencies(string? code) => Assert.Null(Currency.Find(code));

    [Fact]
    public void The_table_is_the_full_iso_list() => Assert.True(Currency.All.Count() > 150);

    [Theory]
    [InlineData("5000.00", "MXN", 500000)]
    [InlineData("5000", "MXN", 500000)]
    [InlineData("0.5", "MXN", 50)]
    [InlineData("10.500", "MXN", 1050)]
    [InlineData("1500", "JPY", 1500)]
    [InlineData("2.125", "KWD", 2125)]
    [InlineData("-3.10", "MXN", -310)]
    [InlineData("92233720368547758.07", "MXN", long.MaxValue)]
    public void Parses_exact_decimal_text(string text, string currency, long minor)
    {
        var parsed = Money.Parse(text, Currency.Get(currency));
        Assert.True(parsed.IsSuccess, parsed.Error?.Message);
        Assert.Equal(minor, parsed.Value.Minor);
    }

    [Theory]
    [InlineData("1.001", "MXN")]
    [InlineData("1.5", "JPY")]
    [InlineData("1e3", "MXN")]
    [InlineData("+1", "MXN")]
    [InlineData(".5", "MXN")]
    [InlineData("5.", "MXN")]
    [InlineData("1,000.00", "MXN")]
    [InlineData("abc", "MXN")]
    [InlineData("", "MXN")]
    [InlineData("NaN", "MXN")]
    [InlineData("92233720368547758.08", "MXN")]
    [InlineData("99999999999999999999999", "JPY")]
    [InlineData("١٢", "MXN")]
    public void Refuses_anything_that_is_not_exact(string text, string currency) => Assert.False(Money.Parse(text, Currency.Get(currency)).IsSuccess);

    [Theory]
    [InlineData("0")]
    [InlineData("0.00")]
    [InlineData("-1.00")]
    public void Movements_must_be_positive(string text) => Assert.False(Money.ParsePositive(text, Mxn).IsSuccess);

    [Theory]
    [InlineData(500000, "MXN", "5000.00")]
    [InlineData(5, "MXN", "0.05")]
    [InlineData(-5, "MXN", "-0.05")]
    [InlineData(1500, "JPY", "1500")]
    [InlineData(2125, "KWD", "2.125")]
    [InlineData(long.MinValue, "MXN", "-92233720368547758.08")]
    public void Formats_with_exactly_the_currencys_digits(long minor, string currency, string text) =>
        Assert.Equal(text, Money.Format(minor, Currency.Get(currency)));

    [Fact]
    public void Format_and_parse_round_trip_for_random_amounts()
    {
        var random = new Random(4217);
        var currencies = Currency.All.ToArray();
        for (var i = 0; i < 20_000; i++)
        {
            var currency = currencies[random.Next(currencies.Length)];
            var minor = random.NextInt64(long.MinValue + 1, long.MaxValue);
            Assert.Equal(minor, Money.Parse(Money.Format(minor, currency), currency).Value.Minor);
        }
    }

    [Fact]
    public void Arithmetic_is_checked_and_single_currency()
    {
        Assert.Equal(new Money(300, Mxn), new Money(100, Mxn) + new Money(200, Mxn));
        Assert.Throws<OverflowException>(() => new Money(long.MaxValue, Mxn) + new Money(1, Mxn));
        Assert.Throws<InvalidOperationException>(() => new Money(1, Mxn) + new Money(1, Jpy));
        Assert.Equal(new Money(-1, Kwd), new Money(1, Kwd) - new Money(2, Kwd));
    }
}
