namespace Finsoft.Api.Infrastructure.Documents;

/// <summary>
/// A document as Finsoft prints it: a title, facts about it (label and value), then a table whose header repeats on every
/// page, and closing facts. Statements and report jobs describe themselves this way; <see cref="PdfTable"/> and
/// <see cref="XlsxTable"/> render it. Cells are text as the API shows it; numeric columns hold amounts in their text form.
/// </summary>
public sealed record TableDocument(
    string Title, IReadOnlyList<DocumentFact> Facts, IReadOnlyList<TableColumn> Columns, IReadOnlyList<IReadOnlyList<string?>> Rows,
    IReadOnlyList<DocumentFact> Closing)
{
    /// <summary>How many rows a PDF page holds under its header.</summary>
    public int RowsPerPage { get; init; } = 45;
}

/// <param name="Unit">For an amount: its currency, printed after it on paper and beside it in a spreadsheet, where the amount is a number.</param>
public sealed record DocumentFact(string Label, string Value, string? Unit = null)
{
    public override string ToString() => Unit is null ? $"{Label}: {Value}" : $"{Label}: {Value} {Unit}";
}

/// <param name="Width">The column's share of the page's width, relative to the others.</param>
/// <param name="Numeric">An amount or count: right-aligned on paper, a number in a spreadsheet.</param>
/// <param name="OnPaper">False for a column only a spreadsheet has room for (an id to match rows by).</param>
public sealed record TableColumn(string Name, double Width, bool Numeric = false, bool OnPaper = true);
