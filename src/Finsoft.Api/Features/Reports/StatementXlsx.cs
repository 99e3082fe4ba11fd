using System.Globalization;
using System.IO.Compression;
using System.Security;
using System.Text;

namespace Finsoft.Api.Features.Reports;

/// <summary>
/// Renders a statement as an Office Open XML workbook (.xlsx) written by hand: one sheet, a header block
/// (account, holder, CLABE, period, opening and closing balances), then one row per movement with the
/// amount and running balance as numbers (exact decimal text, which spreadsheets read as numbers).
/// </summary>
public static class StatementXlsx
{
    private const string Main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    private const string Relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

    public static byte[] Render(Statement.Body body)
    {
        using var file = new MemoryStream();
        using (var zip = new ZipArchive(file, ZipArchiveMode.Create, leaveOpen: true))
        {
            Add(zip, "[Content_Types].xml",
                "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">" +
                "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>" +
                "<Default Extension=\"xml\" ContentType=\"application/xml\"/>" +
                "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>" +
                "<Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>" +
                "</Types>");
            Add(zip, "_rels/.rels",
                "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">" +
                "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/>" +
                "</Relationships>");
            Add(zip, "xl/workbook.xml",
                $"<workbook xmlns=\"{Main}\" xmlns:r=\"{Relationships}\"><sheets><sheet name=\"Statement\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>");
            Add(zip, "xl/_rels/workbook.xml.rels",
                "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">" +
                "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/>" +
                "</Relationships>");
            Add(zip, "xl/worksheets/sheet1.xml", Sheet(body));
        }
        return file.ToArray();
    }

    private static string Sheet(Statement.Body body)
    {
        var rows = new List<object[]>
        {
            new object[] { "Account statement" },
            new object[] { "Account", body.AccountId.ToString() },
            new object[] { "Holder", body.Holder ?? "" },
            new object[] { "CLABE", body.Clabe ?? "" },
            new object[] { "Currency", body.Currency },
            new object[] { "From", body.From.ToString("O", CultureInfo.InvariantCulture), "To", body.To.ToString("O", CultureInfo.InvariantCulture) },
            new object[] { "Opening balance", new Number(body.OpeningBalance) },
            new object[] { "Closing balance", new Number(body.ClosingBalance) },
            Array.Empty<object>(),
            new object[] { "Sequence", "Date (UTC)", "Transaction", "Type", "Description", "Amount", "Balance" },
        };
        rows.AddRange(body.Movements.Select(m => new object[]
        {
            new Number(m.Sequence.ToString(CultureInfo.InvariantCulture)), m.Date.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            m.TransactionId.ToString(), m.Type, m.Description ?? "", new Number(m.Amount), new Number(m.RunningBalance),
        }));
        var xml = new StringBuilder($"<worksheet xmlns=\"{Main}\"><sheetData>");
        for (var r = 0; r < rows.Count; r++)
        {
            xml.Append(CultureInfo.InvariantCulture, $"<row r=\"{r + 1}\">");
            for (var c = 0; c < rows[r].Length; c++)
            {
                var reference = $"{(char)('A' + c)}{r + 1}";
                xml.Append(rows[r][c] is Number number
                    ? $"<c r=\"{reference}\"><v>{number.Text}</v></c>"
                    : $"<c r=\"{reference}\" t=\"inlineStr\"><is><t>{SecurityElement.Escape(rows[r][c].ToString())}</t></is></c>");
            }
            xml.Append("</row>");
        }
        return xml.Append("</sheetData></worksheet>").ToString();
    }

    private sealed record Number(string Text);

    private static void Add(ZipArchive zip, string name, string content)
    {
        using var writer = new StreamWriter(zip.CreateEntry(name, CompressionLevel.Fastest).Open(), new UTF8Encoding(false));
        writer.Write("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n");
        writer.Write(content);
    }
}
