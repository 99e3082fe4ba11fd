using System.Globalization;
using Finsoft.Api.Host;
using Finsoft.Ledger;

namespace Finsoft.Api.MoneyPath.Payments;

/// <summary>The platform's fee on a pay-in: a percentage of the amount, rounded half up to the minor unit, plus a fixed part per currency.</summary>
public static class PaymentFee
{
    public static Money Of(Money amount, PaymentOptions options)
    {
        var percent = decimal.Parse(options.FeePercent, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        var share = (long)Math.Round(amount.Minor * percent / 100m, MidpointRounding.AwayFromZero);
        var fixedPart = options.FixedFee.TryGetValue(amount.Currency.Code, out var text) ? Money.Parse(text, amount.Currency).Value.Minor : 0;
        return new Money(checked(share + fixedPart), amount.Currency);
    }

    /// <summary>Refuses to start on a fee that cannot be read: a percentage from 0 to 100, fixed parts in known currencies.</summary>
    public static void Validate(PaymentOptions options)
    {
        if (!decimal.TryParse(options.FeePercent, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var percent) || percent is < 0 or >= 100)
        {
            throw new StartupException($"Finsoft:Payments:FeePercent '{options.FeePercent}' must be a percentage from 0 to less than 100.");
        }
        foreach (var (code, text) in options.FixedFee)
        {
            if (Currency.Find(code) is not { } currency || Money.Parse(text, currency) is not { IsSuccess: true, Value.Minor: >= 0 })
            {
                throw new StartupException($"Finsoft:Payments:FixedFee:{code} '{text}' must be a non-negative amount in an ISO 4217 currency.");
            }
        }
    }
}
