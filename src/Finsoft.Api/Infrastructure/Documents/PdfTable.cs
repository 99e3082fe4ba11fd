using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace Finsoft.Api.Infrastructure.Documents;

/// <summary>
/// Renders a <see cref="TableDocument"/> as an A4 PDF with PDFsharp: on every page the title, the facts and the table's
/// header, then up to <see cref="TableDocument.RowsPerPage"/> rows (amounts right-aligned), "page n of m" at the foot; the
/// closing facts after the last row. Fonts are embedded as subsets with their Unicode maps, so any script prints and the
/// text can be searched and copied.
/// </summary>
public static class PdfTable
{
    private const double Margin = 40, RowHeight = 14, FactHeight = 13, TitleSize = 14, FactSize = 9, TableSize = 8.5, CellPadding = 3;

    public static byte[] Render(TableDocument document)
    {
        DocumentFonts.Register();
        var table = OnPaper(document);
        var fonts = new Fonts();
        using var pdf = new PdfDocument();
        pdf.Info.Title = table.Title;
        pdf.Info.Creator = "Finsoft";
        var pages = table.Rows.Chunk(table.RowsPerPage).ToList();
        if (pages.Count == 0)
        {
            pages.Add([]);
        }
        for (var n = 0; n < pages.Count; n++)
        {
            var page = pdf.AddPage();
            page.Size = PdfSharp.PageSize.A4;
            using var gfx = XGraphics.FromPdfPage(page);
            var width = page.Width.Point - 2 * Margin;
            var y = Margin;
            Draw(gfx, fonts, table.Title, Margin, y, TitleSize, bold: true, width);
            y += TitleSize + 8;
            foreach (var fact in table.Facts)
            {
                Draw(gfx, fonts, fact.ToString(), Margin, y, FactSize, bold: false, width);
                y += FactHeight;
            }
            y += 8;
            var columns = Columns(table.Columns, width);
            for (var c = 0; c < columns.Count; c++)
            {
                Cell(gfx, fonts, table.Columns[c].Name, columns[c], y, bold: true, table.Columns[c].Numeric);
            }
            y += RowHeight;
            gfx.DrawLine(XPens.Gray, Margin, y - 3, Margin + width, y - 3);
            foreach (var row in pages[n])
            {
                for (var c = 0; c < columns.Count; c++)
                {
                    Cell(gfx, fonts, c < row.Count ? row[c] : null, columns[c], y, bold: false, table.Columns[c].Numeric);
                }
                y += RowHeight;
            }
            if (n == pages.Count - 1)
            {
                y += 6;
                foreach (var fact in table.Closing)
                {
                    Draw(gfx, fonts, fact.ToString(), Margin, y, FactSize, bold: true, width);
                    y += FactHeight;
                }
            }
            var footer = $"page {n + 1} of {pages.Count}";
            Draw(gfx, fonts, footer, Margin, page.Height.Point - Margin + 10, FactSize, bold: false, width, alignRight: true);
        }
        using var output = new MemoryStream();
        pdf.Save(output, closeStream: false);
        return output.ToArray();
    }

    /// <summary>The document without the columns only a spreadsheet shows.</summary>
    private static TableDocument OnPaper(TableDocument document)
    {
        var kept = document.Columns.Select((c, i) => (c, i)).Where(x => x.c.OnPaper).Select(x => x.i).ToArray();
        return kept.Length == document.Columns.Count ? document : document with
        {
            Columns = [.. kept.Select(i => document.Columns[i])],
            Rows = [.. document.Rows.Select(r => (IReadOnlyList<string?>)[.. kept.Select(i => i < r.Count ? r[i] : null)])],
        };
    }

    /// <summary>Each column's left edge and width on the page, in proportion to the widths asked for.</summary>
    private static List<(double X, double Width)> Columns(IReadOnlyList<TableColumn> columns, double width)
    {
        var total = columns.Sum(c => c.Width);
        var x = Margin;
        var placed = new List<(double, double)>();
        foreach (var column in columns)
        {
            var w = width * column.Width / total;
            placed.Add((x, w));
            x += w;
        }
        return placed;
    }

    private static void Cell(XGraphics gfx, Fonts fonts, string? text, (double X, double Width) column, double y, bool bold, bool numeric) =>
        Draw(gfx, fonts, text ?? "", column.X + CellPadding, y, TableSize, bold, column.Width - 2 * CellPadding, alignRight: numeric);

    /// <summary>Draws one line from its top edge, each run in its font; cut with an ellipsis where it would not fit.</summary>
    private static void Draw(XGraphics gfx, Fonts fonts, string text, double x, double top, double size, bool bold, double maxWidth, bool alignRight = false)
    {
        var runs = Fit(gfx, fonts, text, size, bold, maxWidth, out var width);
        var at = alignRight ? x + maxWidth - width : x;
        foreach (var run in runs)
        {
            var font = fonts.Get(run.Cjk, size, bold);
            gfx.DrawString(run.Text, font, XBrushes.Black, at, top, XStringFormats.TopLeft);
            at += gfx.MeasureString(run.Text, font).Width;
        }
    }

    /// <summary>
    /// The longest start of the text that fits (with an ellipsis when cut), found by halving: a long description costs a few
    /// layouts, not one per character dropped.
    /// </summary>
    private static IReadOnlyList<DocumentText.Run> Fit(XGraphics gfx, Fonts fonts, string text, double size, bool bold, double maxWidth, out double width)
    {
        var printable = new string([.. text.Select(c => char.IsControl(c) ? ' ' : c)]);
        double Width(IReadOnlyList<DocumentText.Run> runs) => runs.Sum(r => gfx.MeasureString(r.Text, fonts.Get(r.Cjk, size, bold)).Width);
        var whole = DocumentText.Layout(printable);
        width = Width(whole);
        if (width <= maxWidth)
        {
            return whole;
        }
        var (fits, tooLong) = (0, printable.Length);
        while (tooLong - fits > 1)
        {
            var middle = (fits + tooLong) / 2;
            if (Width(DocumentText.Layout(printable[..middle] + "…")) <= maxWidth)
            {
                fits = middle;
            }
            else
            {
                tooLong = middle;
            }
        }
        var cut = DocumentText.Layout(printable[..fits] + "…");
        width = Width(cut);
        return cut;
    }

    /// <summary>The fonts one document uses, made once each.</summary>
    private sealed class Fonts
    {
        private readonly Dictionary<(bool, double, bool), XFont> _made = [];
        private static readonly XPdfFontOptions Embedded = new(PdfFontEncoding.Unicode);

        public XFont Get(bool cjk, double size, bool bold)
        {
            if (!_made.TryGetValue((cjk, size, bold), out var font))
            {
                font = new XFont(cjk ? DocumentFonts.Cjk : DocumentFonts.Sans, size, bold ? XFontStyleEx.Bold : XFontStyleEx.Regular, Embedded);
                _made[(cjk, size, bold)] = font;
            }
            return font;
        }
    }
}
