using System.Globalization;

namespace Finsoft.Ledger;

/// <summary>
/// A rate: how many units of <see cref="Quote"/> one unit of <see cref="Base"/> buys, as an exact
/// decimal (at most 12 decimal places; never a binary float). Converting rounds to the target
/// currency's minor unit half-to-even (banker's rounding), once, at the end. Each side of a conversion
/// is booked whole in its own currency, so rounding never creates or destroys a minor unit: the
/// difference stays visible in the platform's FX conversion accounts.
/// </summary>
public sealed record ExchangeRate(Currency Base, Currency Quote, decimal Rate)
{
    public const int MaxDecimals = 12;
    public const decimal MaxRate = 1_000_000_000m;

    public static bool TryParseRate(string? text, out decimal rate, out string error)
    {
        rate = 0;
        error = "";
        var s = text?.Trim() ?? "";
        if (s.Length is 0 or > 40 || !decimal.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out rate))
        {
            error = "rate must be a positive decimal number, e.g. \"17.2345\".";
            return false;
        }
        if (rate <= 0 || rate > MaxRate || rate.Scale > MaxDecimals)
        {
            error = $"rate must be above 0, at most {MaxRate:N0}, with at most {MaxDecimals} decimal places.";
            return false;
        }
        return true;
    }

    /// <summary>The rate the other way round (quote → base), rounded half-to-even to 12 places.</summary>
    public ExchangeRate Inverse() => new(Quote, Base, Math.Round(1m / Rate, MaxDecimals, MidpointRounding.ToEven));

    /// <summary>The amount in the quote currency, or null when it rounds to nothing or does not fit 64 bits.</summary>
    public Money? Convert(Money amount)
    {
        if (amount.Currency != Base)
        {
            throw new ArgumentException($"This rate converts {Base.Code}, not {amount.Currency.Code}.", nameof(amount));
        }
        try
        {
            // Minor units of the base → major units × rate → minor units of the quote, in exact decimal arithmetic.
            var scale = Quote.MinorUnits - Base.MinorUnits;
            var exact = amount.Minor * Rate * Pow10(scale);
            var minor = Math.Round(exact, 0, MidpointRounding.ToEven);
            return minor is >= 1 and <= long.MaxValue ? new Money((long)minor, Quote) : null;
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    private static decimal Pow10(int exponent)
    {
        var result = 1m;
        for (var i = 0; i < Math.Abs(exponent); i++)
        {
            result *= 10;
        }
        return exponent >= 0 ? result : 1 / result;
    }

    public string RateText => Rate.ToString(CultureInfo.InvariantCulture);
}
