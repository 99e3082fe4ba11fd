namespace Finsoft.Ledger;

/// <summary>
/// A Mexican CLABE: 3-digit bank code, 3-digit branch (plaza), 11-digit account, 1 check digit.
/// The check digit weights the first 17 digits by 3, 7, 1 repeating, sums each product mod 10,
/// and is (10 - sum mod 10) mod 10.
/// </summary>
public sealed record Clabe
{
    public const int Length = 18;
    private static readonly int[] Weights = [3, 7, 1];

    private Clabe(string value, MexicanBank bank)
    {
        Value = value;
        Bank = bank;
    }

    public string Value { get; }

    public MexicanBank Bank { get; }

    public override string ToString() => Value;

    public static Result<Clabe> Parse(string? text)
    {
        var s = text?.Trim() ?? "";
        if (s.Length != Length || !s.All(char.IsAsciiDigit))
        {
            return new LedgerError(LedgerErrorCode.InvalidClabe, "CLABE must be exactly 18 digits.");
        }
        if (CheckDigit(s.AsSpan(0, Length - 1)) != s[^1] - '0')
        {
            return new LedgerError(LedgerErrorCode.InvalidClabe, "CLABE check digit is not valid.");
        }
        var bank = MexicanBank.Find(s[..3]);
        if (bank is null)
        {
            return new LedgerError(LedgerErrorCode.InvalidClabe, "CLABE bank code is not a known bank.");
        }
        return new Clabe(s, bank);
    }

    public static int CheckDigit(ReadOnlySpan<char> first17)
    {
        if (first17.Length != Length - 1)
        {
            throw new ArgumentException("A CLABE check digit is computed over 17 digits.", nameof(first17));
        }
        var sum = 0;
        for (var i = 0; i < first17.Length; i++)
        {
            sum += (first17[i] - '0') * Weights[i % 3] % 10;
        }
        return (10 - sum % 10) % 10;
    }

    /// <summary>Builds a valid CLABE for the given bank, branch and 11-digit account number.</summary>
    public static Clabe Create(string bankCode, string branch, string account)
    {
        var first17 = bankCode + branch + account;
        if (first17.Length != Length - 1 || !first17.All(char.IsAsciiDigit))
        {
            throw new ArgumentException("Bank code (3), branch (3) and account (11) must all be digits.");
        }
        return Parse(first17 + CheckDigit(first17)).Value;
    }
}
