namespace Finsoft.Credit;

/// <summary>How well scores separate defaulters from the rest: the area under the ROC curve and the Kolmogorov–Smirnov statistic.</summary>
public static class Discrimination
{
    /// <summary>
    /// The chance that a random non-defaulter scores above a random defaulter (ties count half): the Mann–Whitney form of the AUC.
    /// </summary>
    public static double Auc(IReadOnlyList<(int Score, bool Defaulted)> rows)
    {
        var ordered = rows.OrderBy(r => r.Score).ToList();
        double goodsBelow = 0, sum = 0;
        var (goods, bads) = (rows.Count(r => !r.Defaulted), rows.Count(r => r.Defaulted));
        for (var i = 0; i < ordered.Count;)
        {
            var j = i;
            var (tieGoods, tieBads) = (0, 0);
            while (j < ordered.Count && ordered[j].Score == ordered[i].Score)
            {
                if (ordered[j].Defaulted) { tieBads++; } else { tieGoods++; }
                j++;
            }
            // Each defaulter in the tie is outscored by every good above it: goods − goodsBelow − tieGoods, plus half the tie.
            sum += tieBads * (goods - goodsBelow - tieGoods + tieGoods / 2.0);
            goodsBelow += tieGoods;
            i = j;
        }
        return goods == 0 || bads == 0 ? double.NaN : sum / ((double)goods * bads);
    }

    /// <summary>The largest gap between the score distributions of defaulters and non-defaulters.</summary>
    public static double Ks(IReadOnlyList<(int Score, bool Defaulted)> rows)
    {
        var (goods, bads) = (rows.Count(r => !r.Defaulted), rows.Count(r => r.Defaulted));
        double seenGoods = 0, seenBads = 0, best = 0;
        foreach (var tie in rows.GroupBy(r => r.Score).OrderBy(g => g.Key))
        {
            seenBads += tie.Count(r => r.Defaulted);
            seenGoods += tie.Count(r => !r.Defaulted);
            best = Math.Max(best, Math.Abs(seenBads / bads - seenGoods / goods));
        }
        return best;
    }
}
