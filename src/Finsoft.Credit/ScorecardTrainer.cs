using Microsoft.ML;
using Microsoft.ML.Data;

namespace Finsoft.Credit;

/// <summary>
/// Fits a scorecard: each characteristic's bins get their weight of evidence (WoE, ln of the share of non-defaulters over the
/// share of defaulters, smoothed by half a case so an empty bin stays finite), a logistic regression on those WoE values is
/// fitted by ML.NET's L-BFGS, and the coefficients become integer points per bin through the points-to-double-odds scaling.
/// A seeded 30% of the rows is held out, and the finished scorecard (its rounded points, as scoring will use them) is
/// validated on it.
/// </summary>
public static class ScorecardTrainer
{
    public static readonly ScorecardScaling DefaultScaling = new(BaseScore: 650, BaseOdds: 10, Pdo: 40);

    public static readonly IReadOnlyList<GradeCutoff> DefaultGrades =
        [new("A", 720), new("B", 670), new("C", 620), new("D", 570)];

    public static Scorecard Train(IReadOnlyList<LabelledApplication> rows, string modelVersion, string dataSha256, DateTime trainedAt, int seed = 20261201)
    {
        if (rows.Count < 200 || rows.All(r => r.Defaulted) || rows.All(r => !r.Defaulted))
        {
            throw new InvalidDataException("Training needs at least 200 rows with both defaults and non-defaults.");
        }
        var shuffled = rows.OrderBy(_ => 0).ToArray();
        new Random(seed).Shuffle(shuffled);
        var holdoutCount = shuffled.Length * 3 / 10;
        var (holdout, training) = (shuffled[..holdoutCount], shuffled[holdoutCount..]);

        var features = FeatureCatalog.All;
        var evidence = features.Select(f => WeightOfEvidence(f, training)).ToArray();
        var (weights, bias) = FitLogistic(training, features, evidence, seed);

        var scaling = DefaultScaling;
        var share = bias / features.Count;
        var scored = features.Select((f, i) => new ScorecardFeature(f.Name, Math.Round(weights[i], 6), Math.Round(evidence[i].InformationValue, 4),
            evidence[i].Woe.Select(w => Math.Round(w, 6)).ToArray(),
            // Points fall as the log-odds of default rise: −(β·WoE + β₀/k)·factor + offset/k.
            evidence[i].Woe.Select(w => (int)Math.Round(-(weights[i] * w + share) * scaling.Factor + scaling.Offset / features.Count)).ToArray())).ToList();

        var model = new Scorecard
        {
            ModelVersion = modelVersion, TrainedAt = trainedAt, Scaling = scaling, Features = scored, Grades = DefaultGrades,
            Validation = new ScorecardValidation(training.Length, holdout.Length, 0, 0, 0, dataSha256),
        };
        var results = holdout.Select(r => (model.Score(r.Profile).Score, r.Defaulted)).ToList();
        return model with
        {
            Validation = model.Validation with
            {
                DefaultRate = Math.Round(rows.Count(r => r.Defaulted) / (double)rows.Count, 4),
                Auc = Math.Round(Discrimination.Auc(results), 4), Ks = Math.Round(Discrimination.Ks(results), 4),
            },
        };
    }

    private sealed record Evidence(double[] Woe, double InformationValue);

    private static Evidence WeightOfEvidence(FeatureDefinition feature, IReadOnlyList<LabelledApplication> rows)
    {
        var goods = new double[feature.BinCount];
        var bads = new double[feature.BinCount];
        foreach (var row in rows)
        {
            var bin = feature.BinOf(row.Profile);
            if (row.Defaulted) { bads[bin]++; } else { goods[bin]++; }
        }
        var (totalGoods, totalBads) = (goods.Sum() + 0.5 * feature.BinCount, bads.Sum() + 0.5 * feature.BinCount);
        var woe = new double[feature.BinCount];
        double iv = 0;
        for (var b = 0; b < woe.Length; b++)
        {
            if (goods[b] + bads[b] == 0)
            {
                continue; // a bin no one fell in has no evidence either way: neutral
            }
            var (good, bad) = ((goods[b] + 0.5) / totalGoods, (bads[b] + 0.5) / totalBads);
            woe[b] = Math.Log(good / bad);
            iv += (good - bad) * woe[b];
        }
        return new Evidence(woe, iv);
    }

    private sealed class Example
    {
        public bool Label { get; set; }

        public float[] Features { get; set; } = [];
    }

    private static (double[] Weights, double Bias) FitLogistic(IReadOnlyList<LabelledApplication> rows, IReadOnlyList<FeatureDefinition> features,
        Evidence[] evidence, int seed)
    {
        var ml = new MLContext(seed);
        var schema = SchemaDefinition.Create(typeof(Example));
        schema[nameof(Example.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, features.Count);
        var examples = rows.Select(r => new Example
        {
            Label = r.Defaulted,
            Features = features.Select((f, i) => (float)evidence[i].Woe[f.BinOf(r.Profile)]).ToArray(),
        });
        var data = ml.Data.LoadFromEnumerable(examples, schema);
        // A light L2 keeps weights of weak, correlated characteristics from wandering; no L1, so none is dropped silently.
        var trainer = ml.BinaryClassification.Trainers.LbfgsLogisticRegression(
            new Microsoft.ML.Trainers.LbfgsLogisticRegressionBinaryTrainer.Options { L1Regularization = 0, L2Regularization = 0.1f, OptimizationTolerance = 1e-8f });
        var fitted = trainer.Fit(data);
        var linear = fitted.Model.SubModel;
        return (linear.Weights.Select(w => (double)w).ToArray(), linear.Bias);
    }
}
