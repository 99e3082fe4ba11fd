using System.Globalization;

namespace Finsoft.Credit;

/// <summary>A labelled application: the profile the scorecard sees and whether the loan went on to default.</summary>
public sealed record LabelledApplication(CreditProfile Profile, bool Defaulted);

/// <summary>
/// A reproducible population of applicants for training the shipped model (no real customer's data is needed, or used).
/// Each applicant has a hidden financial resilience z ~ N(0, 1). Every observable figure is drawn from z plus its own noise
/// (a resilient person spends less of their income, keeps more balance, is paid every month, overdraws less), so each
/// carries part of the signal and none all of it. Defaults are then a Bernoulli draw with
/// logit P(default) = −2.9 − 1.25·z + 1.4·(debt-to-income − 0.5) + 0.25·ln(loan-to-income) + 0.012·(term − 24)
///                   + 0.35 when the purpose is debt consolidation + 0.3 per late installment (at most 3) − 0.2 per loan repaid,
/// about 13% of applicants. The same seed gives the same rows on every machine (System.Random with a seed is stable).
/// </summary>
public static class SyntheticApplicants
{
    public static IEnumerable<LabelledApplication> Generate(int count, int seed)
    {
        var random = new Random(seed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        int Poisson(double lambda)
        {
            var (limit, k, product) = (Math.Exp(-Math.Min(lambda, 30)), 0, random.NextDouble());
            while (product > limit)
            {
                k++;
                product *= random.NextDouble();
            }
            return k;
        }
        double Round(double x, int digits = 3) => Math.Round(x, digits);
        int[] terms = [6, 12, 18, 24, 36, 48, 60];

        for (var i = 0; i < count; i++)
        {
            var z = Normal();
            var dti = Math.Clamp(0.55 - 0.14 * z + 0.15 * Normal(), 0.05, 1.5);
            var loanToIncome = Math.Exp(1.1 + 0.8 * Normal());
            var term = terms[random.Next(terms.Length)];
            var purpose = z < -0.5 && random.NextDouble() < 0.45 ? "debt_consolidation" : CreditProfile.Purposes[random.Next(CreditProfile.Purposes.Count)];
            var balance = Math.Exp(-0.6 + 0.8 * z + 0.6 * Normal());
            var overdrawn = z + 0.7 * Normal() < -1.2;
            var minimum = overdrawn ? -Math.Exp(-2 + 0.5 * Normal()) : balance * random.NextDouble() * 0.8;
            var inflowChance = 1 / (1 + Math.Exp(-(1.3 + 1.0 * z)));
            var inflowMonths = Enumerable.Range(0, 6).Count(_ => random.NextDouble() < inflowChance);
            var overdraftDays = overdrawn ? Math.Min(90, Poisson(Math.Exp(1.8 - 0.6 * z))) : 0;
            double? records = random.NextDouble() < 0.4 ? null : Math.Max(0.05, 0.9 - 0.2 * z + 0.15 * Normal());
            var borrowedBefore = random.NextDouble() < 0.2;
            var late = borrowedBefore ? Poisson(Math.Exp(-0.8 - 1.0 * z)) : 0;
            var repaid = borrowedBefore ? random.Next(0, 4) : 0;
            var profile = new CreditProfile
            {
                DebtToIncome = Round(dti), LoanToIncome = Round(loanToIncome), EmploymentMonths = Math.Max(0, Math.Round(40 + 30 * z + 30 * Normal())),
                TermMonths = term, Purpose = purpose, BalanceToIncome = Round(balance), MinBalanceToIncome = Round(minimum), InflowMonths = inflowMonths,
                OverdraftDays = overdraftDays, RecordsExpenseRatio = records is { } r ? Round(r) : null, AccountAgeMonths = random.Next(0, 73),
                FailedOrReversed = Poisson(Math.Exp(-0.4 - 0.7 * z)), LateInstallments = late, LoansRepaid = repaid,
            };
            var logit = -2.9 - 1.25 * z + 1.4 * (dti - 0.5) + 0.25 * Math.Log(loanToIncome) + 0.012 * (term - 24)
                + (purpose == "debt_consolidation" ? 0.35 : 0) + 0.3 * Math.Min(late, 3) - 0.2 * repaid;
            yield return new LabelledApplication(profile, random.NextDouble() < 1 / (1 + Math.Exp(-logit)));
        }
    }
}

/// <summary>Labelled applications as CSV: a header of the catalog's feature names and <c>defaulted</c> (0 or 1); an empty field is "not known".</summary>
public static class ApplicationsCsv
{
    public static void Write(TextWriter writer, IEnumerable<LabelledApplication> rows)
    {
        writer.WriteLine(string.Join(',', FeatureCatalog.All.Select(f => f.Name).Append("defaulted")));
        foreach (var row in rows)
        {
            var fields = FeatureCatalog.All.Select(f => f.ValueOf(row.Profile) switch
            {
                null => "",
                double d => d.ToString("R", CultureInfo.InvariantCulture),
                var other => other.ToString(),
            });
            writer.WriteLine(string.Join(',', fields.Append(row.Defaulted ? "1" : "0")));
        }
    }

    public static List<LabelledApplication> Read(TextReader reader)
    {
        var header = (reader.ReadLine() ?? throw new InvalidDataException("The CSV is empty.")).Split(',');
        var column = header.Select((name, i) => (name, i)).ToDictionary(x => x.name.Trim(), x => x.i, StringComparer.Ordinal);
        foreach (var name in FeatureCatalog.All.Select(f => f.Name).Append("defaulted"))
        {
            if (!column.ContainsKey(name))
            {
                throw new InvalidDataException($"The CSV has no column '{name}'.");
            }
        }
        var rows = new List<LabelledApplication>();
        var line = 1;
        for (var text = reader.ReadLine(); text is not null; text = reader.ReadLine())
        {
            line++;
            if (text.Length == 0)
            {
                continue;
            }
            var fields = text.Split(',');
            if (fields.Length != header.Length)
            {
                throw new InvalidDataException($"Line {line} has {fields.Length} fields; the header has {header.Length}.");
            }
            double? Number(string name)
            {
                var field = fields[column[name]];
                return field.Length == 0 ? null
                    : double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) ? value
                    : throw new InvalidDataException($"Line {line}: '{name}' is not a number.");
            }
            double Required(string name) => Number(name) ?? throw new InvalidDataException($"Line {line}: '{name}' is empty.");
            var profile = new CreditProfile
            {
                DebtToIncome = Required("debt_to_income"), LoanToIncome = Required("loan_to_income"), EmploymentMonths = Required("employment_months"),
                TermMonths = Required("term_months"), Purpose = fields[column["purpose"]], BalanceToIncome = Required("balance_to_income"),
                MinBalanceToIncome = Required("min_balance_to_income"), InflowMonths = Required("inflow_months"), OverdraftDays = Required("overdraft_days"),
                RecordsExpenseRatio = Number("records_expense_ratio"), AccountAgeMonths = Required("account_age_months"),
                FailedOrReversed = Required("failed_or_reversed"), LateInstallments = Required("late_installments"), LoansRepaid = Required("loans_repaid"),
            };
            var label = fields[column["defaulted"]];
            rows.Add(new LabelledApplication(profile, label switch
            {
                "1" => true,
                "0" => false,
                _ => throw new InvalidDataException($"Line {line}: 'defaulted' must be 0 or 1."),
            }));
        }
        return rows;
    }

    public static string ToText(IEnumerable<LabelledApplication> rows)
    {
        var text = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        Write(text, rows);
        return text.ToString();
    }
}
