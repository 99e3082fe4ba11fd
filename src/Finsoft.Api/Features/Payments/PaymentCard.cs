namespace Finsoft.Api.Features.Payments;

/// <summary>Card networks Finsoft accepts, told apart by the number's prefix.</summary>
public enum CardBrand
{
    Visa,
    Mastercard,
    Amex,
    Discover,
}

/// <summary>
/// A card as the customer typed it, checked before it is handed to a provider: the brand by its prefix
/// (IIN ranges), the length that brand uses, the Luhn check digit, the CVC's length for the brand, and
/// an expiry that has not passed. Only the provider ever sees the number and CVC.
/// </summary>
public sealed record PaymentCard(string Number, CardBrand Brand, int ExpMonth, int ExpYear, string Cvc, string HolderName)
{
    public string Last4 => Number[^4..];

    /// <summary>The card, or why it cannot be one (worded for the API's field errors).</summary>
    public static (PaymentCard? Card, string? Problem) Parse(string? number, int? expMonth, int? expYear, string? cvc, string? holderName, DateTime now)
    {
        var digits = number?.Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal) ?? "";
        if (digits.Length == 0 || !digits.All(char.IsAsciiDigit))
        {
            return (null, "card.number must be the card's digits.");
        }
        if (BrandOf(digits) is not { } brand)
        {
            return (null, "card.number is not a Visa, Mastercard, American Express or Discover number.");
        }
        if (!LengthsOf(brand).Contains(digits.Length))
        {
            return (null, $"card.number has {digits.Length} digits; a {brand} card has {string.Join(" or ", LengthsOf(brand))}.");
        }
        if (!PassesLuhn(digits))
        {
            return (null, "card.number fails its check digit.");
        }
        if (expMonth is not (>= 1 and <= 12) || expYear is not (>= 2000 and <= 2100))
        {
            return (null, "card.exp_month must be 1 to 12 and card.exp_year a four-digit year.");
        }
        if (expYear < now.Year || (expYear == now.Year && expMonth < now.Month))
        {
            return (null, "The card has expired.");
        }
        if (cvc is null || !cvc.All(char.IsAsciiDigit) || cvc.Length != (brand == CardBrand.Amex ? 4 : 3))
        {
            return (null, $"card.cvc must be {(brand == CardBrand.Amex ? 4 : 3)} digits.");
        }
        if (string.IsNullOrWhiteSpace(holderName) || holderName.Length > 200)
        {
            return (null, "card.holder_name is required (at most 200 characters).");
        }
        return (new PaymentCard(digits, brand, expMonth.Value, expYear.Value, cvc, holderName.Trim()), null);
    }

    /// <summary>The Luhn (mod 10) check: every second digit from the right doubled, digit sums added, a multiple of ten.</summary>
    public static bool PassesLuhn(string digits)
    {
        var sum = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            var d = digits[digits.Length - 1 - i] - '0';
            if (i % 2 == 1)
            {
                d *= 2;
                d = d > 9 ? d - 9 : d;
            }
            sum += d;
        }
        return sum % 10 == 0;
    }

    public static CardBrand? BrandOf(string digits)
    {
        int Prefix(int length) => digits.Length >= length ? int.Parse(digits[..length], System.Globalization.CultureInfo.InvariantCulture) : -1;
        return digits switch
        {
            _ when digits.StartsWith('4') => CardBrand.Visa,
            _ when Prefix(2) is >= 51 and <= 55 || Prefix(4) is >= 2221 and <= 2720 => CardBrand.Mastercard,
            _ when Prefix(2) is 34 or 37 => CardBrand.Amex,
            _ when Prefix(4) == 6011 || Prefix(2) == 65 || Prefix(3) is >= 644 and <= 649 => CardBrand.Discover,
            _ => null,
        };
    }

    private static int[] LengthsOf(CardBrand brand) => brand switch
    {
        CardBrand.Visa => [13, 16, 19],
        CardBrand.Amex => [15],
        CardBrand.Discover => [16, 17, 18, 19],
        _ => [16],
    };

    /// <summary>Never the number or the CVC, whatever logs or serialises this value by accident.</summary>
    public override string ToString() => $"{Brand} card ending {Last4}";
}
