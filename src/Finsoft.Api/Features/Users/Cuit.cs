namespace Finsoft.Api.Features.Users;

/// <summary>
/// An Argentine CUIT/CUIL: a 2-digit type (20, 23, 24, 27 people; 30, 33, 34 companies), an 8-digit
/// number and a check digit. The check digit weights the first ten digits by 5,4,3,2,7,6,5,4,3,2 and is
/// 11 − (sum mod 11), with 11 meaning 0; a result of 10 means no valid CUIT has those ten digits.
/// Written "20-12345678-6" or as 11 bare digits; kept as 11 digits.
/// </summary>
public sealed record Cuit
{
    private static readonly int[] Weights = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
    private static readonly string[] Types = ["20", "23", "24", "27", "30", "33", "34"];

    private Cuit(string digits) => Digits = digits;

    /// <summary>The eleven digits, without hyphens.</summary>
    public string Digits { get; }

    public string Formatted => $"{Digits[..2]}-{Digits[2..10]}-{Digits[10]}";

    public override string ToString() => Formatted;

    public static bool TryParse(string? text, out Cuit? cuit, out string error)
    {
        cuit = null;
        var s = text?.Trim() ?? "";
        if (s.Length == 13 && s[2] == '-' && s[11] == '-')
        {
            s = s.Remove(11, 1).Remove(2, 1);
        }
        if (s.Length != 11 || !s.All(char.IsAsciiDigit))
        {
            error = "CUIT must be 11 digits, written 20-12345678-6 or 20123456786.";
            return false;
        }
        if (!Types.Contains(s[..2]))
        {
            error = "CUIT must start with 20, 23, 24, 27, 30, 33 or 34.";
            return false;
        }
        if (CheckDigit(s.AsSpan(0, 10)) is not { } check || check != s[10] - '0')
        {
            error = "CUIT check digit is not valid.";
            return false;
        }
        cuit = new Cuit(s);
        error = "";
        return true;
    }

    /// <summary>The check digit for ten digits, or null when those ten digits cannot form a CUIT.</summary>
    public static int? CheckDigit(ReadOnlySpan<char> first10)
    {
        if (first10.Length != 10)
        {
            throw new ArgumentException("A CUIT check digit is computed over 10 digits.", nameof(first10));
        }
        var sum = 0;
        for (var i = 0; i < 10; i++)
        {
            sum += (first10[i] - '0') * Weights[i];
        }
        return (11 - sum % 11) switch
        {
            11 => 0,
            10 => null,
            var digit => digit,
        };
    }
}
