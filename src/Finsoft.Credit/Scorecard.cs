using System.Text.Json;
using System.Text.Json.Serialization;

namespace Finsoft.Credit;

/// <summary>
/// A trained scorecard as its model file stores it: points per bin of each characteristic, the scaling that turns points
/// into odds, the grade cut-offs, and the figures it was validated with. Scoring is a sum of integers, so the same file and
/// profile always give the same score; the probability of default is read back from the score through the scaling.
/// </summary>
public sealed record Scorecard
{
    public const int MinScore = 300;
    public const int MaxScore = 850;

    public required string ModelVersion { get; init; }

    public required DateTime TrainedAt { get; init; }

    public required ScorecardScaling Scaling { get; init; }

    public required IReadOnlyList<ScorecardFeature> Features { get; init; }

    /// <summary>Lowest score of each grade, best first; a score below the last is grade E.</summary>
    public required IReadOnlyList<GradeCutoff> Grades { get; init; }

    public required ScorecardValidation Validation { get; init; }

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static Scorecard Load(string path) => Parse(File.ReadAllText(path));

    public static Scorecard Parse(string json)
    {
        var model = JsonSerializer.Deserialize<Scorecard>(json, Json) ?? throw new InvalidDataException("The model file is empty.");
        model.Check();
        return model;
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public ScoreResult Score(CreditProfile profile)
    {
        var points = 0;
        var lost = new List<ScoreReason>();
        foreach (var feature in Features)
        {
            var definition = FeatureCatalog.Find(feature.Name)!;
            var bin = definition.BinOf(profile);
            var got = feature.Points[bin];
            points += got;
            var best = feature.Points.Max();
            if (got < best)
            {
                lost.Add(new ScoreReason(feature.Name, $"{definition.Description}: {definition.LabelOf(bin)}", best - got));
            }
        }
        var score = Math.Clamp(points, MinScore, MaxScore);
        var reasons = lost.OrderByDescending(r => r.PointsLost).ThenBy(r => r.Feature, StringComparer.Ordinal).Take(4).ToList();
        return new ScoreResult(score, Scaling.ProbabilityOfDefault(points), GradeOf(score), reasons);
    }

    public string GradeOf(int score) => Grades.FirstOrDefault(g => score >= g.MinScore)?.Grade ?? "E";

    private void Check()
    {
        foreach (var feature in Features)
        {
            var definition = FeatureCatalog.Find(feature.Name)
                ?? throw new InvalidDataException($"The model scores '{feature.Name}', a characteristic this build does not know.");
            if (feature.Points.Count != definition.BinCount)
            {
                throw new InvalidDataException($"'{feature.Name}' has {feature.Points.Count} bins in the model and {definition.BinCount} in this build.");
            }
        }
    }
}

/// <summary>Score = offset + factor · ln(good:bad odds), with <see cref="Pdo"/> points to double the odds and <see cref="BaseScore"/> at <see cref="BaseOdds"/>.</summary>
public sealed record ScorecardScaling(int BaseScore, double BaseOdds, int Pdo)
{
    public double Factor => Pdo / Math.Log(2);

    public double Offset => BaseScore - Factor * Math.Log(BaseOdds);

    public double ProbabilityOfDefault(int points) => 1 / (1 + Math.Exp((points - Offset) / Factor));
}

/// <summary>A characteristic's fitted weight, each bin's weight of evidence and the points the bin is worth.</summary>
public sealed record ScorecardFeature(string Name, double Coefficient, double InformationValue, IReadOnlyList<double> WeightOfEvidence, IReadOnlyList<int> Points);

public sealed record GradeCutoff(string Grade, int MinScore);

/// <summary>How well the model separated defaults on rows it was not trained on.</summary>
public sealed record ScorecardValidation(int TrainingRows, int HoldoutRows, double DefaultRate, double Auc, double Ks, string DataSha256);

public sealed record ScoreReason(string Feature, string Text, int PointsLost);

public sealed record ScoreResult(int Score, double ProbabilityOfDefault, string Grade, IReadOnlyList<ScoreReason> Reasons);
