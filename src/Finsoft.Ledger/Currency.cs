using System.Collections.Frozen;

namespace Finsoft.Ledger;

/// <summary>An ISO 4217 currency and the number of digits of its minor unit.</summary>
public sealed record Currency
{
    private Currency(string code, int minorUnits)
    {
        Code = code;
        MinorUnits = minorUnits;
    }

    public string Code { get; }

    /// <summary>The ISO 4217 exponent: MXN 2, JPY 0, KWD 3.</summary>
    public int MinorUnits { get; }

    public override string ToString() => Code;

    public static Currency? Find(string? code) =>
        code is not null && Table.TryGetValue(code.Trim().ToUpperInvariant(), out var currency) ? currency : null;

    public static Currency Get(string code) =>
        Find(code) ?? throw new ArgumentException($"Unknown ISO 4217 currency '{code}'.", nameof(code));

    public static IEnumerable<Currency> All => Table.Values;

    // Active ISO 4217 codes that denote money (precious metals, SDR and test codes have no minor unit and are left out).
    private const string TwoDigitCodes =
        "AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD " +
        "CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL " +
        "GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR " +
        "LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD " +
        "PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC " +
        "SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UZS VED VES WST XCD XCG YER ZAR ZMW ZWG";
    private const string ZeroDigitCodes = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF";
    private const string ThreeDigitCodes = "BHD IQD JOD KWD LYD OMR TND";
    private const string FourDigitCodes = "CLF UYW";

    private static readonly FrozenDictionary<string, Currency> Table = BuildTable();

    private static FrozenDictionary<string, Currency> BuildTable()
    {
        var table = new Dictionary<string, Currency>(StringComparer.Ordinal);
        foreach (var (codes, digits) in new[] { (TwoDigitCodes, 2), (ZeroDigitCodes, 0), (ThreeDigitCodes, 3), (FourDigitCodes, 4) })
        {
            foreach (var code in codes.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                table.Add(code, new Currency(code, digits));
            }
        }
        return table.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
