using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Finsoft.Credit;

/// <summary>
/// <c>credit generate --rows N --seed S --out data.csv</c> writes the synthetic training set;
/// <c>credit train --data data.csv --out model.json [--version V]</c> fits a scorecard and writes its model file.
/// </summary>
public static class CreditCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var options = Options(args.Skip(2));
        try
        {
            switch (args.ElementAtOrDefault(1))
            {
                case "generate":
                {
                    var rows = int.Parse(options.GetValueOrDefault("rows", "60000"), CultureInfo.InvariantCulture);
                    var seed = int.Parse(options.GetValueOrDefault("seed", "4004"), CultureInfo.InvariantCulture);
                    await File.WriteAllTextAsync(Required(options, "out"), ApplicationsCsv.ToText(SyntheticApplicants.Generate(rows, seed)));
                    await output.WriteLineAsync($"wrote {rows} applications (seed {seed}) to {options["out"]}");
                    return 0;
                }
                case "train":
                {
                    var text = await File.ReadAllTextAsync(Required(options, "data"));
                    var sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
                    var rows = ApplicationsCsv.Read(new StringReader(text));
                    var version = options.GetValueOrDefault("version", $"scorecard-{sha[..12]}");
                    var model = ScorecardTrainer.Train(rows, version, sha, DateTime.UtcNow);
                    await File.WriteAllTextAsync(Required(options, "out"), model.ToJson() + "\n");
                    var v = model.Validation;
                    await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"model {version}: trained on {v.TrainingRows} rows, held out {v.HoldoutRows}; default rate {v.DefaultRate:P1}; hold-out AUC {v.Auc:0.000}, KS {v.Ks:0.000}"));
                    return 0;
                }
                default:
                    await error.WriteLineAsync("usage: credit generate --out <csv> [--rows N] [--seed S] | credit train --data <csv> --out <model.json> [--version V]");
                    return 2;
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException or FormatException or KeyNotFoundException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"credit: {e.Message}");
            return 1;
        }
    }

    private static string Required(Dictionary<string, string> options, string name) =>
        options.TryGetValue(name, out var value) ? value : throw new KeyNotFoundException($"--{name} is required.");

    private static Dictionary<string, string> Options(IEnumerable<string> args)
    {
        var list = args.ToList();
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < list.Count; i += 2)
        {
            if (!list[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new FormatException($"Expected an option such as --out, found '{list[i]}'.");
            }
            options[list[i][2..]] = list[i + 1];
        }
        return options;
    }
}
