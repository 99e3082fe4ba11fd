using F23.StringSimilarity;

namespace Finsoft.Screening;

/// <summary>
/// How alike two normalised names are, 0 to 1. Each word is scored against the best-matching word of the
/// other name with Jaro-Winkler (which forgives typos and rewards a shared beginning), an initial against a
/// word it begins, and a long word against two words of the other name run together ("Abdulrahman" /
/// "Abdul Rahman"). The words' scores are averaged by length, both ways; the asked-for name weighs more
/// than the listed one, so a listed name with extra middle names still matches, while a one-word question
/// does not match every listed name containing that word.
/// </summary>
public static class NameSimilarity
{
    private const double AskedWeight = 0.7;
    private static readonly JaroWinkler Metric = new();

    /// <param name="rarity">How telling a word is, 0–1 (a common first name tells less than a rare surname); null: every word alike.</param>
    public static double Score(IReadOnlyList<string> asked, IReadOnlyList<string> listed, Func<string, double>? rarity = null)
    {
        if (asked.Count == 0 || listed.Count == 0)
        {
            return 0;
        }
        var askedBest = new double[asked.Count];
        var listedBest = new double[listed.Count];
        for (var a = 0; a < asked.Count; a++)
        {
            for (var l = 0; l < listed.Count; l++)
            {
                var s = Similarity(asked[a], listed[l]);
                askedBest[a] = Math.Max(askedBest[a], s);
                listedBest[l] = Math.Max(listedBest[l], s);
            }
        }
        RunTogether(asked, listed, askedBest, listedBest);
        RunTogether(listed, asked, listedBest, askedBest);
        return Weighted(asked, askedBest, rarity) * AskedWeight + Weighted(listed, listedBest, rarity) * (1 - AskedWeight);
    }

    /// <summary>A long word no single word matches, tried against each ordered pair of the other side's words glued together; a pair that matches counts for both its words.</summary>
    private static void RunTogether(IReadOnlyList<string> side, IReadOnlyList<string> other, double[] sideBest, double[] otherBest)
    {
        if (other.Count < 2)
        {
            return;
        }
        for (var i = 0; i < side.Count; i++)
        {
            if (side[i].Length < 6 || sideBest[i] >= 0.95)
            {
                continue;
            }
            for (var x = 0; x < other.Count; x++)
            {
                for (var y = 0; y < other.Count; y++)
                {
                    if (x == y || other[x].Length + other[y].Length is var joined && Math.Abs(joined - side[i].Length) > 2)
                    {
                        continue;
                    }
                    // Glued words are long, and Jaro-Winkler grows lenient with length: only a near-exact join counts.
                    var s = Similarity(side[i], other[x] + other[y]);
                    if (s >= 0.93 && s > sideBest[i])
                    {
                        sideBest[i] = s;
                        otherBest[x] = Math.Max(otherBest[x], s);
                        otherBest[y] = Math.Max(otherBest[y], s);
                    }
                }
            }
        }
    }

    /// <summary>The words' scores averaged by length and rarity; an initial counts as much as a two-letter word, since it says little.</summary>
    private static double Weighted(IReadOnlyList<string> words, double[] best, Func<string, double>? rarity)
    {
        double total = 0, weight = 0;
        for (var i = 0; i < words.Count; i++)
        {
            var w = Math.Max(2, words[i].Length) * (rarity?.Invoke(words[i]) ?? 1);
            total += best[i] * w;
            weight += w;
        }
        return total / weight;
    }

    /// <summary>
    /// Two words' likeness: Jaro-Winkler, less for words of different lengths ("Marchenko" / "Moreno") and for a
    /// different first letter, which typos rarely touch. Below <see cref="Unrelated"/> it still gives unrelated
    /// names half marks ("Rania" / "Anwar" ≈ 0.6); such words count as not matching at all, so one shared first
    /// name is not half a match.
    /// </summary>
    public static double Similarity(string a, string b)
    {
        if (a.Length == 1 || b.Length == 1)
        {
            return a[0] == b[0] ? 0.9 : 0;
        }
        if (a == b)
        {
            return 1;
        }
        var lengths = 1 - 0.3 * Math.Abs(a.Length - b.Length) / Math.Max(a.Length, b.Length);
        var s = Metric.Similarity(a, b) * lengths * (a[0] == b[0] ? 1 : 0.96);
        return s >= Unrelated ? s : 0;
    }

    private const double Unrelated = 0.85;
}
