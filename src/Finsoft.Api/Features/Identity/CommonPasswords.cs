using System.Text;

namespace Finsoft.Api.Features.Identity;

/// <summary>
/// Recognises common passwords from the list shipped with the product (common-passwords.txt). Length
/// rules already refuse the short ones, so what matters is the long disguises of common ones:
/// "Password1234!", "p@ssw0rdp@ssw0rd", "111111111111", "123456789012".
/// </summary>
public static class CommonPasswords
{
    private static readonly HashSet<string> Stems = Load();

    public static bool Contains(string password)
    {
        var letters = ReadAsLetters(password.ToLowerInvariant());
        if (letters.Length == 0)
        {
            return IsRunOrRepeat(password); // digits and symbols only: refused when trivially patterned
        }
        return IsRunOrRepeat(password) || Stems.Contains(letters) || IsRepetitionOfStem(letters);
    }

    /// <summary>Leet digits and symbols read as the letters they stand for; leading and trailing non-letters dropped.</summary>
    private static string ReadAsLetters(string lower)
    {
        var mapped = new StringBuilder(lower.Length);
        foreach (var c in lower)
        {
            mapped.Append(c switch
            {
                '0' => 'o', '1' => 'i', '3' => 'e', '4' => 'a', '5' => 's', '7' => 't', '@' => 'a', '$' => 's', '!' => 'i',
                _ => c,
            });
        }
        // Mapping first would turn a trailing "123" into "ies"; so trim the original's non-letter ends, then map the middle.
        var start = 0;
        var end = lower.Length;
        while (start < end && !char.IsLetter(lower[start]))
        {
            start++;
        }
        while (end > start && !char.IsLetter(lower[end - 1]))
        {
            end--;
        }
        return mapped.ToString(start, end - start).Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal)
            .Replace("_", "", StringComparison.Ordinal).Replace(".", "", StringComparison.Ordinal);
    }

    private static bool IsRepetitionOfStem(string letters)
    {
        for (var size = 1; size <= letters.Length / 2; size++)
        {
            if (letters.Length % size == 0 && Stems.Contains(letters[..size])
                && Enumerable.Range(0, letters.Length / size).All(i => letters.AsSpan(i * size, size).SequenceEqual(letters.AsSpan(0, size))))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>One character repeated, or a run of consecutive characters up or down ("123456789012", "abcdefghijkl").</summary>
    private static bool IsRunOrRepeat(string password)
    {
        var distinct = password.Distinct().Count();
        if (distinct <= 2)
        {
            return true;
        }
        var ups = 0;
        var downs = 0;
        for (var i = 1; i < password.Length; i++)
        {
            var step = password[i] - password[i - 1];
            ups += step is 1 or -9 ? 1 : 0; // "...890123" wraps
            downs += step is -1 or 9 ? 1 : 0;
        }
        return ups >= password.Length - 2 || downs >= password.Length - 2;
    }

    private static HashSet<string> Load()
    {
        using var stream = typeof(CommonPasswords).Assembly.GetManifestResourceStream("Finsoft.Api.Features.Identity.common-passwords.txt")
            ?? throw new InvalidOperationException("common-passwords.txt is not embedded.");
        using var reader = new StreamReader(stream);
        var stems = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0 && line[0] != '#')
            {
                stems.Add(line.Trim());
            }
        }
        return stems;
    }
}
