using System.Globalization;
using System.Text;

namespace Finsoft.Api.Features.Reports;

/// <summary>
/// Renders a statement as a PDF written by hand (PDF 1.4): A4 pages of <see cref="RowsPerPage"/>
/// movements, the holder, CLABE and period on every page, opening balance first, closing balance last.
/// It uses only PDF's standard fonts (Helvetica for headings, Courier for the table, so amounts line up
/// right-aligned), which every reader has, so nothing is embedded and no library is needed.
/// </summary>
public static class StatementPdf
{
    public const int RowsPerPage = 45;
    private const double PageWidth = 595, PageHeight = 842, Margin = 40, RowHeight = 14, TableSize = 8.5;

    public static byte[] Render(Statement.Body body)
    {
        var pages = body.Movements.Chunk(RowsPerPage).ToList();
        if (pages.Count == 0)
        {
            pages.Add([]);
        }
        var objects = new List<string>
        {
            "<< /Type /Catalog /Pages 2 0 R >>",
            "", // the page tree, once the page objects are numbered
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Courier-Bold /Encoding /WinAnsiEncoding >>",
        };
        var pageIds = new List<int>();
        for (var i = 0; i < pages.Count; i++)
        {
            var content = PageContent(body, pages[i], i + 1, pages.Count);
            objects.Add($"<< /Length {Latin1(content).Length} >>\nstream\n{content}\nendstream");
            var contentId = objects.Count;
            objects.Add($"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PageWidth} {PageHeight}] /Contents {contentId} 0 R " +
                        "/Resources << /Font << /F1 3 0 R /F2 4 0 R /F3 5 0 R /F4 6 0 R >> >> >>");
            pageIds.Add(objects.Count);
        }
        objects[1] = $"<< /Type /Pages /Kids [{string.Join(' ', pageIds.Select(id => $"{id} 0 R"))}] /Count {pageIds.Count} >>";

        using var pdf = new MemoryStream();
        void Write(string text) => pdf.Write(Latin1(text));
        Write("%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n");
        var offsets = new List<long>();
        for (var i = 0; i < objects.Count; i++)
        {
            offsets.Add(pdf.Position);
            Write($"{i + 1} 0 obj\n{objects[i]}\nendobj\n");
        }
        var xref = pdf.Position;
        Write($"xref\n0 {objects.Count + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets)
        {
            Write($"{offset:D10} 00000 n \n");
        }
        Write($"trailer\n<< /Size {objects.Count + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return pdf.ToArray();
    }

    private static string PageContent(Statement.Body body, Statement.Movement[] rows, int page, int pageCount)
    {
        var text = new StringBuilder();
        var y = PageHeight - Margin - 14;
        void Line(string font, double size, double x, string value) =>
            text.Append(CultureInfo.InvariantCulture, $"BT /{font} {size} Tf {x:0.##} {y:0.##} Td ({Escape(value)}) Tj ET\n");
        Line("F2", 14, Margin, "Account statement");
        y -= 20;
        Line("F1", 9.5, Margin, $"Holder: {body.Holder ?? "Finsoft (system account)"}");
        Line("F1", 9.5, 330, $"CLABE: {body.Clabe ?? "-"}");
        y -= 13;
        Line("F1", 9.5, Margin, $"Account: {body.AccountId}");
        Line("F1", 9.5, 330, $"Currency: {body.Currency}");
        y -= 13;
        Line("F1", 9.5, Margin, $"Period: {body.From:yyyy-MM-dd HH:mm} to {body.To:yyyy-MM-dd HH:mm} UTC");
        y -= 13;
        if (page == 1)
        {
            Line("F2", 9.5, Margin, $"Opening balance: {body.OpeningBalance} {body.Currency}");
            y -= 13;
        }
        y -= 8;
        Line("F4", TableSize, Margin, Row("Date (UTC)", "Type", "Description", "Amount", "Balance")); // Courier too, so the headings sit over their columns
        text.Append(CultureInfo.InvariantCulture, $"{Margin} {y - 4:0.##} m {PageWidth - Margin} {y - 4:0.##} l 0.5 w S\n");
        y -= RowHeight;
        foreach (var row in rows)
        {
            Line("F3", TableSize, Margin, Row(row.Date.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), row.Type, row.Description ?? "",
                row.Amount, row.RunningBalance));
            y -= RowHeight;
        }
        if (page == pageCount)
        {
            y -= 6;
            Line("F2", 9.5, Margin, $"Closing balance: {body.ClosingBalance} {body.Currency}    Movements: {body.Count}");
        }
        y = Margin - 10;
        Line("F1", 8, Margin, $"Finsoft - page {page} of {pageCount}");
        return text.ToString();
    }

    /// <summary>Fixed-width columns (Courier: every character 0.6 em), amounts right-aligned.</summary>
    private static string Row(string date, string type, string description, string amount, string balance) =>
        $"{Fit(date, 17),-17} {Fit(type, 10),-10} {Fit(description, 32),-32} {Fit(amount, 16),16} {Fit(balance, 16),16}";

    private static string Fit(string value, int width) => value.Length <= width ? value : value[..(width - 1)] + "~";

    /// <summary>PDF string escapes; characters outside WinAnsi's Latin-1 range print as '?'.</summary>
    private static string Escape(string value)
    {
        var escaped = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            escaped.Append(c switch
            {
                '\\' => "\\\\",
                '(' => "\\(",
                ')' => "\\)",
                < ' ' => " ",
                > '\u00ff' => "?",
                _ => c.ToString(),
            });
        }
        return escaped.ToString();
    }

    private static byte[] Latin1(string text) => Encoding.Latin1.GetBytes(text);
}
