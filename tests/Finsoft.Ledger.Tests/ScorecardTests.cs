using Finsoft.Credit;

namespace Finsoft.Ledger.Tests;

/// <summary>The scorecard: training on the synthetic population, scoring, reasons, the model file and the validation figures.</summary>
public class ScorecardTests
{
    private static readonly Lazy<Scorecard> Model = new(() =>
        ScorecardTrainer.Train(SyntheticApplicants.Generate(20_000, 7).ToList(), "test-model", "sha", new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc)));

    private static readonly CreditProfile Strong = new()
    {
        DebtToIncome = 0.25, LoanToIncome = 2, EmploymentMonths = 96, TermMonths = 12, Purpose = "home_improvement", BalanceToIncome = 2.5,
        MinBalanceToIncome = 1.2, InflowMonths = 6, OverdraftDays = 0, RecordsExpenseRatio = 0.6, AccountAgeMonths = 40, FailedOrReversed = 0,
        LateInstallments = 0, LoansRepaid = 2,
    };

    private static readonly CreditProfile Weak = new()
    {
        DebtToIncome = 0.9, LoanToIncome = 14, EmploymentMonths = 3, TermMonths = 60, Purpose = "debt_consolidation", BalanceToIncome = 0.05,
        MinBalanceToIncome = -0.2, InflowMonths = 1, OverdraftDays = 30, RecordsExpenseRatio = 1.4, AccountAgeMonths = 1, FailedOrReversed = 7,
        LateInstallments = 4, LoansRepaid = 0,
    };

    [Fact]
    public void The_synthetic_hold_out_is_separated_well()
    {
        var validation = Model.Value.Validation;

        Assert.True(validation.Auc >= 0.75, $"AUC {validation.Auc}");
        Assert.True(validation.Ks >= 0.35, $"KS {validation.Ks}");
        Assert.Equal((14_000, 6_000), (validation.TrainingRows, validation.HoldoutRows));
        Assert.InRange(validation.DefaultRate, 0.08, 0.25);
    }

    [Fact]
    public void Training_the_same_rows_again_gives_the_same_points()
    {
        var again = ScorecardTrainer.Train(SyntheticApplicants.Generate(20_000, 7).ToList(), "test-model", "sha", Model.Value.TrainedAt);

        Assert.Equal(Model.Value.Features.Select(f => string.Join(',', f.Points)), again.Features.Select(f => string.Join(',', f.Points)));
    }

    [Fact]
    public void A_richer_history_scores_higher_with_a_lower_probability_of_default_and_a_better_grade()
    {
        var (strong, weak) = (Model.Value.Score(Strong), Model.Value.Score(Weak));

        Assert.True(strong.Score > weak.Score + 150, $"{strong.Score} vs {weak.Score}");
        Assert.True(strong.ProbabilityOfDefault < weak.ProbabilityOfDefault);
        Assert.Equal("A", strong.Grade);
        Assert.Equal("E", weak.Grade);
        Assert.InRange(strong.Score, Scorecard.MinScore, Scorecard.MaxScore);
        Assert.InRange(weak.Score, Scorecard.MinScore, Scorecard.MaxScore);
    }

    [Fact]
    public void Only_history_differs_and_the_better_history_still_scores_higher()
    {
        var poorHistory = Strong with { BalanceToIncome = 0.05, InflowMonths = 1, OverdraftDays = 30, FailedOrReversed = 7, LateInstallments = 4 };

        Assert.True(Model.Value.Score(Strong).Score > Model.Value.Score(poorHistory).Score);
    }

    [Fact]
    public void Scoring_is_deterministic_and_reasons_are_the_four_biggest_losses_in_words()
    {
        var first = Model.Value.Score(Weak);
        var second = Model.Value.Score(Weak);

        Assert.Equal(first.Score, second.Score);
        Assert.Equal(first.Reasons, second.Reasons);
        Assert.Equal(4, first.Reasons.Count);
        Assert.True(first.Reasons.Zip(first.Reasons.Skip(1)).All(p => p.First.PointsLost >= p.Second.PointsLost));
        var losses = Model.Value.Features.Select(f => f.Points.Max() - f.Points[FeatureCatalog.Find(f.Name)!.BinOf(Weak)]).OrderDescending().Take(4);
        Assert.Equal(losses, first.Reasons.Select(r => r.PointsLost));
        Assert.Contains(first.Reasons, r => r.Text == "Monthly expenses to income: 0.8 or more");
    }

    [Fact]
    public void The_score_is_the_sum_of_the_bins_points_and_the_probability_follows_the_scaling()
    {
        var model = Model.Value;
        var sum = model.Features.Sum(f => f.Points[FeatureCatalog.Find(f.Name)!.BinOf(Strong)]);
        var scaling = model.Scaling;

        var result = model.Score(Strong);

        Assert.Equal(Math.Clamp(sum, 300, 850), result.Score);
        // At the base score the odds are the base odds (10:1), so PD = 1/11; each PDO points doubles them.
        Assert.Equal(1 / 11.0, scaling.ProbabilityOfDefault(scaling.BaseScore), 9);
        Assert.Equal(1 / 21.0, scaling.ProbabilityOfDefault(scaling.BaseScore + scaling.Pdo), 9);
    }

    [Fact]
    public void The_model_file_round_trips_and_scores_the_same()
    {
        var reread = Scorecard.Parse(Model.Value.ToJson());

        var (before, after) = (Model.Value.Score(Weak), reread.Score(Weak));
        Assert.Equal((before.Score, before.ProbabilityOfDefault, before.Grade), (after.Score, after.ProbabilityOfDefault, after.Grade));
        Assert.Equal(before.Reasons, after.Reasons);
        Assert.Equal(Model.Value.Validation, reread.Validation);
    }

    [Fact]
    public void A_model_whose_bins_this_build_does_not_know_is_refused()
    {
        var json = Model.Value.ToJson().Replace("\"debt_to_income\"", "\"shoe_size\"", StringComparison.Ordinal);

        Assert.Throws<InvalidDataException>(() => Scorecard.Parse(json));
    }

    [Fact]
    public void Auc_and_ks_of_known_orderings()
    {
        (int, bool)[] perfect = [(400, true), (450, true), (700, false), (750, false)];
        (int, bool)[] ties = [(500, true), (500, false), (500, true), (500, false)];
        (int, bool)[] mixed = [(400, true), (500, false), (600, true), (700, false)]; // goods above bads in 3 of 4 pairs

        Assert.Equal(1.0, Discrimination.Auc(perfect));
        Assert.Equal(1.0, Discrimination.Ks(perfect));
        Assert.Equal(0.5, Discrimination.Auc(ties));
        Assert.Equal(0.0, Discrimination.Ks(ties));
        Assert.Equal(0.75, Discrimination.Auc(mixed));
        Assert.Equal(0.5, Discrimination.Ks(mixed));
    }

    [Fact]
    public void The_csv_round_trips_and_a_bad_line_is_named()
    {
        var rows = SyntheticApplicants.Generate(50, 3).ToList();

        Assert.Equal(rows, ApplicationsCsv.Read(new StringReader(ApplicationsCsv.ToText(rows))));
        var broken = ApplicationsCsv.ToText(rows.Take(2)).Replace(",0\n", ",7\n", StringComparison.Ordinal).Replace(",1\n", ",7\n", StringComparison.Ordinal);
        var error = Assert.Throws<InvalidDataException>(() => ApplicationsCsv.Read(new StringReader(broken)));
        Assert.Contains("Line 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_seed_generates_the_same_population() =>
        Assert.Equal(SyntheticApplicants.Generate(100, 11), SyntheticApplicants.Generate(100, 11).ToList());

    [Fact]
    public async Task The_command_line_generates_trains_and_writes_a_model_the_service_can_load()
    {
        var dir = Directory.CreateTempSubdirectory("finsoft-credit-cli-");
        try
        {
            var (data, model) = (Path.Combine(dir.FullName, "data.csv"), Path.Combine(dir.FullName, "model.json"));
            var output = new StringWriter();

            Assert.Equal(0, await CreditCommand.RunAsync(["credit", "generate", "--rows", "3000", "--seed", "5", "--out", data], output, TextWriter.Null));
            Assert.Equal(0, await CreditCommand.RunAsync(["credit", "train", "--data", data, "--out", model, "--version", "cli-1"], output, TextWriter.Null));

            var loaded = Scorecard.Load(model);
            Assert.Equal("cli-1", loaded.ModelVersion);
            Assert.Equal((2_100, 900), (loaded.Validation.TrainingRows, loaded.Validation.HoldoutRows));
            Assert.Contains("hold-out AUC", output.ToString(), StringComparison.Ordinal);
            var error = new StringWriter();
            Assert.Equal(1, await CreditCommand.RunAsync(["credit", "train", "--data", Path.Combine(dir.FullName, "missing.csv"), "--out", model], output, error));
            Assert.Contains("missing.csv", error.ToString(), StringComparison.Ordinal);
            Assert.Equal(2, await CreditCommand.RunAsync(["credit", "bake"], output, TextWriter.Null));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
