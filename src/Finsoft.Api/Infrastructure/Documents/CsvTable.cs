using System.Text;

namespace Finsoft.Api.Infrastructure.Documents;

/// <summary>
/// Renders a <see cref="TableDocument"/> as CSV (RFC 4180, UTF-8): the facts as <c># label,value</c> lines, the header, the
/// rows, then the closing facts the same way. Every column is kept, amounts as their exact decimal text.
/// </summary>
public static class CsvTable
{
    public static byte[] Render(TableDocument table)
    {
        var csv = new StringBuilder();
        void Facts(IEnumerable<DocumentFact> facts)
        {
            foreach (var fact in facts)
            {
                csv.Append("# ").Append(Field(fact.Label)).Append(',').Append(Field(fact.Value));
                csv.Append(fact.Unit is null ? "\n" : $",{Field(fact.Unit)}\n");
            }
        }
        csv.Append("# ").Append(Field(table.Title)).Append('\n');
        Facts(table.Facts);
        csv.AppendJoin(',', table.Columns.Select(c => Field(c.Name))).Append('\n');
        foreach (var row in table.Rows)
        {
            csv.AppendJoin(',', table.Columns.Select((_, i) => Field(i < row.Count ? row[i] : null))).Append('\n');
        }
        Facts(table.Closing);
        return Encoding.UTF8.GetBytes(csv.ToString());
    }

    /// <summary>RFC 4180 quoting; a leading =, +, - or @ is prefixed so a spreadsheet never runs text as a formula.</summary>
    public static string Field(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }
        var safe = text[0] is '=' or '+' or '@' || (text[0] == '-' && !IsNumber(text)) ? "'" + text : text;
        return safe.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + safe.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : safe;
    }

    /// <summary>A negative amount is data, not a formula: it keeps its minus sign as it is.</summary>
    private static bool IsNumber(string text) => decimal.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign | System.Globalization.NumberStyles.AllowDecimalPoint,
        System.Globalization.CultureInfo.InvariantCulture, out _);
}
