using System.Globalization;
using System.Text;

namespace Finsoft.Api.Infrastructure.Documents;

/// <summary>
/// Turns a line of text in any script into what a PDF page draws left to right: runs, each in the font family that has its
/// glyphs (CJK or the rest), with Arabic shaped into its joined letter forms and laid out right to left. PDFsharp draws
/// characters one glyph each and does no shaping or bidirectional layout, so this is the part of a text shaper a name,
/// a description or a label needs; a full one (HarfBuzz) would be warranted for paragraphs of mixed Arabic and Latin text.
/// </summary>
public static class DocumentText
{
    public readonly record struct Run(string Text, bool Cjk);

    /// <summary>The text's runs in the order they are drawn, left to right.</summary>
    public static IReadOnlyList<Run> Layout(string text)
    {
        var logical = Split(text, IsArabic).Select(r => (Text: r.Matches ? ArabicShaping.Shape(r.Text) : r.Text, Rtl: r.Matches)).ToList();
        // Right to left when the first letter is Arabic: the runs go in reverse; an Arabic run's letters always do.
        var rightToLeft = text.FirstOrDefault(char.IsLetter) is var first && IsArabic(first);
        var visual = (rightToLeft ? Enumerable.Reverse(logical) : logical).Select(r => r.Rtl ? Reverse(r.Text) : r.Text);
        return visual.SelectMany(part => Split(part, IsCjk).Select(r => new Run(r.Text, r.Matches))).Where(r => r.Text.Length > 0).ToList();
    }

    public static bool IsCjk(char c) => c is (>= '\u2E80' and <= '\u9FFF') or (>= '\uAC00' and <= '\uD7AF') or (>= '\uF900' and <= '\uFAFF')
        or (>= '\uFF00' and <= '\uFFEF') or (>= '\u3000' and <= '\u303F') || char.IsSurrogate(c);

    /// <summary>Arabic letters and marks; not its digits, which read left to right inside right-to-left text.</summary>
    private static bool IsArabic(char c) => c is (>= '\u0600' and <= '\u06FF') and not ((>= '\u0660' and <= '\u0669') or (>= '\u06F0' and <= '\u06F9'))
        or (>= '\uFB50' and <= '\uFDFF') or (>= '\uFE70' and <= '\uFEFF');

    /// <summary>Maximal runs whose characters all do, or all do not, match; spaces join the run they sit in.</summary>
    private static List<(string Text, bool Matches)> Split(string text, Func<char, bool> matches)
    {
        var runs = new List<(string, bool)>();
        var current = new StringBuilder();
        bool? kind = null;
        foreach (var c in text)
        {
            var isMatch = c == ' ' && kind is not null ? kind.Value : matches(c);
            if (kind is { } k && k != isMatch)
            {
                runs.Add((current.ToString(), k));
                current.Clear();
            }
            kind = isMatch;
            current.Append(c);
        }
        if (kind is { } last)
        {
            runs.Add((current.ToString(), last));
        }
        return runs;
    }

    /// <summary>Reverses by text elements, so a letter and the marks on it stay together.</summary>
    private static string Reverse(string text)
    {
        var elements = new List<string>();
        var e = StringInfo.GetTextElementEnumerator(text);
        while (e.MoveNext())
        {
            elements.Add(e.GetTextElement());
        }
        elements.Reverse();
        return string.Concat(elements);
    }
}
