using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace Finsoft.Api.Infrastructure.Documents;

/// <summary>
/// Renders a <see cref="TableDocument"/> as an Excel workbook with the Open XML SDK: one sheet with the title, the facts, the
/// table's header and rows, then the closing facts. Amounts are numbers (written as their exact decimal text), everything
/// else inline text, so any script reads back as it was.
/// </summary>
public static class XlsxTable
{
    public static byte[] Render(TableDocument table, string sheetName)
    {
        using var output = new MemoryStream();
        using (var workbook = SpreadsheetDocument.Create(output, SpreadsheetDocumentType.Workbook))
        {
            var book = workbook.AddWorkbookPart();
            book.Workbook = new Workbook();
            var sheetPart = book.AddNewPart<WorksheetPart>();
            var data = new SheetData();
            data.Append(Row(Text(table.Title)));
            foreach (var fact in table.Facts)
            {
                data.Append(Fact(fact));
            }
            data.Append(new Row());
            data.Append(Row([.. table.Columns.Select(c => Text(c.Name))]));
            foreach (var row in table.Rows)
            {
                data.Append(Row([.. table.Columns.Select((column, i) => i < row.Count && row[i] is { } value ? column.Numeric ? Number(value) : Text(value) : new Cell())]));
            }
            if (table.Closing.Count > 0)
            {
                data.Append(new Row());
                foreach (var fact in table.Closing)
                {
                    data.Append(Fact(fact));
                }
            }
            sheetPart.Worksheet = new Worksheet(data);
            book.Workbook.AppendChild(new Sheets()).Append(new Sheet { Id = book.GetIdOfPart(sheetPart), SheetId = 1, Name = sheetName });
        }
        return output.ToArray();
    }

    private static Row Fact(DocumentFact fact) =>
        fact.Unit is null ? Row(Text(fact.Label), Text(fact.Value)) : Row(Text(fact.Label), Number(fact.Value), Text(fact.Unit));

    private static Row Row(params Cell[] cells)
    {
        var row = new Row();
        row.Append(cells);
        return row;
    }

    private static Cell Text(string text) =>
        new(new InlineString(new Text(XmlSafe(text)) { Space = SpaceProcessingModeValues.Preserve })) { DataType = CellValues.InlineString };

    /// <summary>Text as XML can carry it: a control character (which anyone may type into a description) becomes U+FFFD instead of failing the file.</summary>
    private static string XmlSafe(string text)
    {
        System.Text.StringBuilder? safe = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                safe?.Append(c).Append(text[i + 1]);
                i++;
                continue;
            }
            var allowed = System.Xml.XmlConvert.IsXmlChar(c);
            if (!allowed)
            {
                safe ??= new System.Text.StringBuilder(text, 0, i, text.Length);
            }
            safe?.Append(allowed ? c : '\uFFFD');
        }
        return safe?.ToString() ?? text;
    }

    private static Cell Number(string value) => new(new CellValue(value)) { DataType = CellValues.Number };
}
