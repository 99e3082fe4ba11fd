namespace Finsoft.Api.Features.Users;

/// <summary>A phone number in E.164: '+', a country code not starting with 0, at most 15 digits in all.</summary>
public static class PhoneNumber
{
    public static bool TryNormalize(string? text, out string normalized, out string error)
    {
        normalized = "";
        // Spaces, hyphens, dots and parentheses are how people write numbers; they are not part of it.
        var s = new string((text ?? "").Trim().Where(c => c is not (' ' or '-' or '.' or '(' or ')')).ToArray());
        if (s.Length < 9 || s.Length > 16 || s[0] != '+' || s[1] == '0' || !s.AsSpan(1).ToArray().All(char.IsAsciiDigit))
        {
            error = "phone must be in E.164 form: '+', country code and number, 8 to 15 digits (e.g. +5491123456789).";
            return false;
        }
        normalized = s;
        error = "";
        return true;
    }
}
