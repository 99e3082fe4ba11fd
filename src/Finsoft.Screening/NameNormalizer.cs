using System.Text;

namespace Finsoft.Screening;

/// <summary>
/// Brings names to the form they are compared in: any script to ASCII (AnyAscii: "Алексей" → "Aleksei",
/// "Müller" → "Muller"), lower case, punctuation to spaces (so "LAST, First" and "First Last" give the same
/// tokens), and without the words that tell nothing apart — articles and particles ("the", "of", "de", "al",
/// "bin") and company suffixes ("ltd", "llc", "s.a. de c.v."). Last, the spellings transliteration varies
/// are folded to one ("dzh"/"j", "kh"/"h", "ks"/"x", "w"/"v", "y"/"i", doubled letters to one), so
/// "Dzhamil Khasanov" and "Jamil Hassanov" compare as the same words.
/// </summary>
public static class NameNormalizer
{
    private static readonly HashSet<string> Noise = new(StringComparer.Ordinal)
    {
        "the", "of", "and", "de", "del", "della", "da", "do", "dos", "du", "van", "von", "der", "den", "la", "le", "el", "al", "bin", "ibn", "bint",
        "ltd", "limited", "llc", "inc", "incorporated", "corp", "corporation", "co", "company", "sa", "sas", "srl", "gmbh", "ag", "plc", "bv", "nv",
        "cv", "spa", "oao", "ooo", "zao", "pjsc", "jsc", "llp", "lp", "mr", "mrs", "ms", "dr",
    };

    public static string[] Tokens(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return [];
        }
        var ascii = AnyAscii.Transliteration.Transliterate(name);
        var text = new StringBuilder(ascii.Length);
        foreach (var c in ascii)
        {
            text.Append(char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : c is '\'' or '.' ? '\0' : ' ');
        }
        // An apostrophe or a full stop joins ("O'Brien" → "obrien", "S.A. de C.V." → "sa de cv"); everything else separates ("Al-Qaida" → "al qaida").
        var words = text.Replace("\0", "").ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var kept = words.Where(w => !Noise.Contains(w)).ToArray();
        return (kept.Length > 0 ? kept : words).Select(Fold).ToArray();
    }

    private static readonly (string From, string To)[] Spellings =
        [("dzh", "j"), ("sch", "sh"), ("tch", "ch"), ("kh", "h"), ("ks", "x"), ("ph", "f"), ("ck", "k"), ("q", "k"), ("w", "v"), ("y", "i"), ("ou", "u")];

    private static string Fold(string word)
    {
        if (word.Length <= 1)
        {
            return word;
        }
        foreach (var (from, to) in Spellings)
        {
            word = word.Replace(from, to, StringComparison.Ordinal);
        }
        var single = new StringBuilder(word.Length);
        foreach (var c in word)
        {
            if (single.Length == 0 || single[^1] != c)
            {
                single.Append(c);
            }
        }
        return single.ToString();
    }
}
