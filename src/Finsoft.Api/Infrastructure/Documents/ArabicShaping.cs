using System.Text;

namespace Finsoft.Api.Infrastructure.Documents;

/// <summary>
/// Arabic letters in their joined forms (Unicode's Arabic Presentation Forms-B): each letter takes its isolated, final,
/// initial or medial form by whether the letters beside it join, and lam followed by alef becomes their ligature. Marks
/// (harakat) are transparent to joining. The text stays in logical order; <see cref="DocumentText"/> lays it out.
/// </summary>
public static class ArabicShaping
{
    /// <summary>Per letter from U+0621: its isolated form, and whether it joins on both sides (else only to the letter before it).</summary>
    private static readonly (char Isolated, bool Dual)[] Letters =
    [
        ('\uFE80', false), ('\uFE81', false), ('\uFE83', false), ('\uFE85', false), ('\uFE87', false), ('\uFE89', true), ('\uFE8D', false),
        ('\uFE8F', true), ('\uFE93', false), ('\uFE95', true), ('\uFE99', true), ('\uFE9D', true), ('\uFEA1', true), ('\uFEA5', true),
        ('\uFEA9', false), ('\uFEAB', false), ('\uFEAD', false), ('\uFEAF', false), ('\uFEB1', true), ('\uFEB5', true), ('\uFEB9', true),
        ('\uFEBD', true), ('\uFEC1', true), ('\uFEC5', true), ('\uFEC9', true), ('\uFECD', true),
    ];

    /// <summary>U+0641 to U+064A.</summary>
    private static readonly (char Isolated, bool Dual)[] LateLetters =
    [
        ('\uFED1', true), ('\uFED5', true), ('\uFED9', true), ('\uFEDD', true), ('\uFEE1', true), ('\uFEE5', true), ('\uFEE9', true),
        ('\uFEED', false), ('\uFEEF', false), ('\uFEF1', true),
    ];

    private const char Lam = '\u0644', Tatweel = '\u0640', Hamza = '\u0621';

    public static string Shape(string text)
    {
        var shaped = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (Form(c) is not { } letter)
            {
                shaped.Append(c);
                continue;
            }
            var joinsBefore = Neighbour(text, i, -1) is { } before && JoinsForward(before);
            if (c == Lam && Neighbour(text, i, +1) is { } next && LamAlef(next) is { } ligature)
            {
                shaped.Append(joinsBefore ? (char)(ligature + 1) : ligature);
                i = text.IndexOf(next, i + 1); // the alef is drawn by the ligature
                continue;
            }
            var joinsAfter = letter.Dual && Neighbour(text, i, +1) is { } after && after != Hamza; // hamza joins nothing
            var offset = (joinsBefore, joinsAfter) switch
            {
                (false, false) => 0,
                (true, false) => 1,
                (false, true) => 2,
                (true, true) => 3,
            };
            shaped.Append((char)(letter.Isolated + (letter.Isolated == '\uFE80' ? 0 : offset)));
        }
        return shaped.ToString();
    }

    private static (char Isolated, bool Dual)? Form(char c) => c switch
    {
        >= '\u0621' and <= '\u063A' => Letters[c - '\u0621'],
        >= '\u0641' and <= '\u064A' => LateLetters[c - '\u0641'],
        _ => null,
    };

    /// <summary>Whether the letter joins to the one after it: dual-joining letters and the tatweel.</summary>
    private static bool JoinsForward(char c) => c == Tatweel || Form(c) is { Dual: true };

    /// <summary>The nearest letter on one side, skipping marks; none past a space or anything else.</summary>
    private static char? Neighbour(string text, int i, int step)
    {
        for (var j = i + step; j >= 0 && j < text.Length; j += step)
        {
            var c = text[j];
            if (c is >= '\u064B' and <= '\u065F' or '\u0670')
            {
                continue;
            }
            return Form(c) is not null || c == Tatweel ? c : null;
        }
        return null;
    }

    /// <summary>The isolated lam-alef ligature for the alef that follows a lam (its final form is the next code point).</summary>
    private static char? LamAlef(char alef) => alef switch
    {
        '\u0622' => '\uFEF5',
        '\u0623' => '\uFEF7',
        '\u0625' => '\uFEF9',
        '\u0627' => '\uFEFB',
        _ => null,
    };
}
