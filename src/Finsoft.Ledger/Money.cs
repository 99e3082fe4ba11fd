using System.Globalization;

namespace Finsoft.Ledger;

/// <summary>An amount in integer minor units of one currency. Arithmetic is checked: it never wraps.</summary>
public readonly record struct Money(long Minor, Currency Currency)
{
    public bool IsPositive => Minor > 0;

    public static Money operator +(Money a, Money b) => new(checked(a.Minor + SameCurrency(a, b).Minor), a.Currency);

    public static Money operator -(Money a, Money b) => new(checked(a.Minor - SameCurrency(a, b).Minor), a.Currency);

    private static Money SameCurrency(Money a, Money b) =>
        a.Currency == b.Currency ? b : throw new InvalidOperationException($"Cannot combine {a.Currency} with {b.Currency}.");

    /// <summary>The wire form: a decimal string with exactly the currency's digits ("5000.00", "5000" for JPY).</summary>
    public override string ToString() => Format(Minor, Currency);

    public static string Format(long minor, Currency currency)
    {
        if (currency.MinorUnits == 0)
        {
            return minor.ToString(CultureInfo.InvariantCulture);
        }
        var negative = minor < 0;
        // UInt128 so that long.MinValue has a magnitude too.
        var magnitude = negative ? (UInt128)(-(Int128)minor) : (UInt128)minor;
        var digits = magnitude.ToString(CultureInfo.InvariantCulture).PadLeft(currency.MinorUnits + 1, '0');
        var split = digits.Length - currency.MinorUnits;
        return (negative ? "-" : "") + digits[..split] + "." + digits[split..];
    }

    /// <summary>
    /// Parses a decimal amount exactly. Refuses anything that would need rounding, exponents,
    /// signs other than a leading minus, and magnitudes beyond 64-bit minor units.
    /// </summary>
    public static Result<Money> Parse(string? text, Currency currency)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return LedgerError.InvalidAmount("Amount is required.");
        }
        var s = text.Trim();
        var negative = s.StartsWith('-');
        if (negative)
        {
            s = s[1..];
        }
        var dot = s.IndexOf('.', StringComparison.Ordinal);
        var whole = dot < 0 ? s : s[..dot];
        var fraction = dot < 0 ? "" : s[(dot + 1)..];
        if (whole.Length == 0 || !whole.All(char.IsAsciiDigit) || !fraction.All(char.IsAsciiDigit) || (dot >= 0 && fraction.Length == 0))
        {
            return LedgerError.InvalidAmount("Amount must be a decimal number such as \"5000.00\".");
        }
        if (fraction.Length > currency.MinorUnits)
        {
            // Trailing zeros beyond the exponent carry no value ("10.500" MXN is 10.50); other digits would need rounding.
            if (fraction[currency.MinorUnits..].Any(c => c != '0'))
            {
                return LedgerError.InvalidAmount($"{currency.Code} amounts have at most {currency.MinorUnits} decimal places.");
            }
            fraction = fraction[..currency.MinorUnits];
        }
        var digits = whole + fraction.PadRight(currency.MinorUnits, '0');
        if (!Int128.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value > long.MaxValue)
        {
            return LedgerError.InvalidAmount("Amount is too large.");
        }
        return new Money(negative ? -(long)value : (long)value, currency);
    }

    /// <summary>Parses an amount that must be strictly positive, as every movement of money is.</summary>
    public static Result<Money> ParsePositive(string? text, Currency currency)
    {
        var parsed = Parse(text, currency);
        if (parsed.IsSuccess && !parsed.Value.IsPositive)
        {
            return LedgerError.InvalidAmount("Amount must be greater than zero.");
        }
        return parsed;
    }
}
