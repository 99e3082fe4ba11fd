using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.VisualBasic.FileIO;

namespace Finsoft.Screening.Formats;

/// <summary>
/// OFAC's SDN list as published in CSV: `sdn.csv` (no header; ent_num, SDN_Name, SDN_Type, Program, Title,
/// Call_Sign, Vess_type, Tonnage, GRT, Vess_flag, Vess_owner, Remarks; "-0-" for empty) and `alt.csv`
/// (ent_num, alt_num, alt_type, alt_name, alt_remarks), whose aliases join the entries of the same load.
/// Birth dates and nationalities are read from the remarks ("DOB 12 Jan 1960; nationality Iran").
/// </summary>
public static partial class OfacCsv
{
    public static IReadOnlyList<WatchlistEntry> ReadSdn(TextReader csv)
    {
        var entries = new List<WatchlistEntry>();
        foreach (var (line, row) in Rows(csv, minimumFields: 4))
        {
            var name = Field(row, 1) ?? throw new FormatException($"line {line}: the entry has no SDN_Name.");
            var remarks = Field(row, 11);
            entries.Add(new WatchlistEntry(row[0].Trim(), KindOf(Field(row, 2)), [name], BirthDates(remarks), Countries(remarks), Field(row, 3)));
        }
        return entries;
    }

    /// <summary>The entries with the aliases of `alt.csv` added to those they belong to (aliases of unknown entries are left out).</summary>
    public static IReadOnlyList<WatchlistEntry> AddAliases(IReadOnlyList<WatchlistEntry> entries, TextReader csv)
    {
        var aliases = Rows(csv, minimumFields: 4).Select(r => r.Fields).Where(r => Field(r, 3) is not null).ToLookup(r => r[0].Trim(), r => r[3].Trim());
        return entries.Select(e => aliases.Contains(e.EntryId) ? e with { Names = [.. e.Names, .. aliases[e.EntryId].Except(e.Names)] } : e).ToList();
    }

    /// <summary>The rows, each a list of fields; a row too short to be one is a format error with its line number.</summary>
    private static IEnumerable<(long Line, string[] Fields)> Rows(TextReader csv, int minimumFields)
    {
        using var parser = new TextFieldParser(csv) { TextFieldType = FieldType.Delimited, HasFieldsEnclosedInQuotes = true, TrimWhiteSpace = false };
        parser.SetDelimiters(",");
        while (!parser.EndOfData)
        {
            var line = parser.LineNumber;
            string[]? fields;
            try
            {
                fields = parser.ReadFields();
            }
            catch (MalformedLineException e)
            {
                throw new FormatException($"line {e.LineNumber}: not CSV.");
            }
            if (fields is null || fields.All(string.IsNullOrWhiteSpace))
            {
                continue;
            }
            if (fields.Length < minimumFields || string.IsNullOrWhiteSpace(fields[0]))
            {
                throw new FormatException($"line {line}: expected at least {minimumFields} fields, the first an entry number.");
            }
            yield return (line, fields);
        }
    }

    private static string? Field(string[] row, int index) =>
        index < row.Length && row[index].Trim() is { Length: > 0 } value && value != "-0-" ? value : null;

    private static string KindOf(string? sdnType) => sdnType?.ToLowerInvariant() switch
    {
        "individual" => EntryKind.Person,
        "vessel" => EntryKind.Vessel,
        "aircraft" => EntryKind.Aircraft,
        _ => EntryKind.Organization,
    };

    private static List<string> BirthDates(string? remarks)
    {
        var dates = new List<string>();
        foreach (Match m in Dob().Matches(remarks ?? ""))
        {
            var text = m.Groups["date"].Value;
            if (DateTime.TryParseExact(text, "dd MMM yyyy", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            {
                dates.Add(day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            }
            else if (DateTime.TryParseExact(text, "MMM yyyy", CultureInfo.InvariantCulture, DateTimeStyles.None, out var month))
            {
                dates.Add(month.ToString("yyyy", CultureInfo.InvariantCulture));
            }
            else
            {
                dates.Add(text[^4..]);
            }
        }
        return dates;
    }

    private static List<string> Countries(string? remarks) =>
        Nationality().Matches(remarks ?? "").Select(m => m.Groups["country"].Value.Trim()).Distinct(StringComparer.OrdinalIgnoreCase).ToList();

    [GeneratedRegex(@"DOB (?:circa |c\. )?(?<date>(?:\d{1,2} )?(?:[A-Z][a-z]{2} )?\d{4})", RegexOptions.CultureInvariant)]
    private static partial Regex Dob();

    [GeneratedRegex(@"(?:nationality|citizen) (?<country>[A-Za-z][A-Za-z .'-]*?)(?:;|\.$|$|\(|,)", RegexOptions.CultureInvariant)]
    private static partial Regex Nationality();
}
