using System.Globalization;
using System.Xml;

namespace Finsoft.Ledger.Reconciliation;

/// <summary>
/// Reads bank statements: ISO 20022 camt.053 (any version; elements matched by local name) and a plain CSV
/// (<c>date,amount,reference,description</c> with a header row). Every refusal says where: a line, or a line and column of
/// the XML. XML carrying a DTD is refused outright, so no entity is ever expanded or fetched (no XXE, no billion laughs).
/// </summary>
public static class StatementFormats
{
    public static Result<BankStatement> ParseCamt053(Stream xml, Currency currency)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, IgnoreComments = true, IgnoreWhitespace = true,
            MaxCharactersFromEntities = 0,
        };
        var lines = new List<StatementLine>();
        try
        {
            using var reader = XmlReader.Create(xml, settings);
            var sawStatement = false;
            while (reader.Read())
            {
                if (reader.NodeType != XmlNodeType.Element)
                {
                    continue;
                }
                if (reader.LocalName == "Stmt")
                {
                    sawStatement = true;
                }
                else if (reader.LocalName == "Acct" && reader.Depth > 0 && ReadAccountCurrency(reader) is { } accountCurrency
                    && !string.Equals(accountCurrency, currency.Code, StringComparison.OrdinalIgnoreCase))
                {
                    return Refuse($"the statement is of a {accountCurrency} account, not {currency.Code}", reader);
                }
                else if (reader.LocalName == "Ntry")
                {
                    var entry = ReadEntry(reader, lines.Count + 1, currency);
                    if (!entry.IsSuccess)
                    {
                        return entry.Error!;
                    }
                    lines.Add(entry.Value);
                }
            }
            if (!sawStatement)
            {
                return LedgerError.InvalidAmount("Not a camt.053 statement: no Stmt element.");
            }
        }
        catch (XmlException e)
        {
            return LedgerError.InvalidAmount($"The XML does not parse at line {e.LineNumber}, column {e.LinePosition}: {e.Message}");
        }
        return new BankStatement(currency, lines);
    }

    /// <summary>The account's Ccy, read within its Acct element (the reader ends on the Acct's end).</summary>
    private static string? ReadAccountCurrency(XmlReader reader)
    {
        using var account = reader.ReadSubtree();
        account.Read();
        while (!account.EOF)
        {
            if (account.NodeType == XmlNodeType.Element && account.LocalName == "Ccy")
            {
                return account.ReadElementContentAsString().Trim();
            }
            account.Read();
        }
        return null;
    }

    private static Result<StatementLine> ReadEntry(XmlReader reader, int number, Currency currency)
    {
        var at = (IXmlLineInfo)reader;
        var (line, column) = (at.LineNumber, at.LinePosition);
        string? amount = null, amountCurrency = null, sign = null, valueDate = null, bookingDate = null, reference = null, endToEnd = null, info = null;
        var transactions = 0;
        var inValueDate = false;
        var inBookingDate = false;
        using (var entry = reader.ReadSubtree())
        {
            // Reading an element's content moves the reader past it, onto the next node: only read on when nothing was taken.
            entry.Read();
            while (!entry.EOF)
            {
                if (entry.NodeType == XmlNodeType.EndElement)
                {
                    inValueDate &= entry.LocalName != "ValDt";
                    inBookingDate &= entry.LocalName != "BookgDt";
                }
                if (entry.NodeType != XmlNodeType.Element || !Take(entry))
                {
                    entry.Read();
                }
            }

            bool Take(XmlReader entry)
            {
                switch (entry.LocalName)
                {
                    case "Amt" when amount is null:
                        amountCurrency = entry.GetAttribute("Ccy");
                        amount = entry.ReadElementContentAsString().Trim();
                        break;
                    case "CdtDbtInd" when sign is null:
                        sign = entry.ReadElementContentAsString().Trim();
                        break;
                    case "ValDt":
                        inValueDate = !entry.IsEmptyElement;
                        return false;
                    case "BookgDt":
                        inBookingDate = !entry.IsEmptyElement;
                        return false;
                    case "Dt" or "DtTm" when inValueDate && valueDate is null:
                        valueDate = entry.ReadElementContentAsString().Trim();
                        break;
                    case "Dt" or "DtTm" when inBookingDate && bookingDate is null:
                        bookingDate = entry.ReadElementContentAsString().Trim();
                        break;
                    case "NtryRef" or "AcctSvcrRef" when reference is null:
                        reference = entry.ReadElementContentAsString().Trim();
                        break;
                    case "EndToEndId" when endToEnd is null:
                        endToEnd = entry.ReadElementContentAsString().Trim();
                        break;
                    case "TxDtls":
                        transactions++;
                        return false;
                    case "AddtlNtryInf" or "Ustrd" when info is null:
                        info = entry.ReadElementContentAsString().Trim();
                        return true;
                    default:
                        return false;
                }
                return true;
            }
        }
        string Where() => $"entry {number} (line {line}, column {column})";
        if (amount is null || sign is not ("CRDT" or "DBIT"))
        {
            return LedgerError.InvalidAmount($"{Where()}: an entry needs Amt and CdtDbtInd (CRDT or DBIT).");
        }
        if (amountCurrency is not null && !string.Equals(amountCurrency, currency.Code, StringComparison.OrdinalIgnoreCase))
        {
            return LedgerError.InvalidAmount($"{Where()}: the amount is in {amountCurrency}, the statement is reconciled in {currency.Code}.");
        }
        var money = Money.ParsePositive(amount, currency);
        if (!money.IsSuccess)
        {
            return LedgerError.InvalidAmount($"{Where()}: {money.Error!.Message}");
        }
        if (ParseDate(valueDate ?? bookingDate) is not { } date)
        {
            return LedgerError.InvalidAmount($"{Where()}: a value date (ValDt) or booking date (BookgDt) is needed.");
        }
        // CdtDbtInd is the direction of this entry, a reversal included (RvslInd only says it undoes an earlier one).
        var credit = sign == "CRDT";
        // A batch entry (several transactions) is no one transaction's: its first EndToEndId would name just one of them.
        var usable = transactions <= 1 && endToEnd is { Length: > 0 } and not "NOTPROVIDED" ? endToEnd : reference;
        return new StatementLine(number, date, credit ? money.Value.Minor : -money.Value.Minor, usable, info);
    }

    public static Result<BankStatement> ParseCsv(TextReader csv, Currency currency)
    {
        var header = csv.ReadLine();
        if (header is null || !string.Equals(header.Trim().TrimStart('\uFEFF'), "date,amount,reference,description", StringComparison.OrdinalIgnoreCase))
        {
            return LedgerError.InvalidAmount("line 1: the header must be date,amount,reference,description.");
        }
        var lines = new List<StatementLine>();
        var lineNumber = 1;
        for (var text = csv.ReadLine(); text is not null; text = csv.ReadLine())
        {
            lineNumber++;
            if (text.Length == 0)
            {
                continue;
            }
            var fields = SplitCsv(text);
            if (fields is not { Count: 4 })
            {
                return LedgerError.InvalidAmount($"line {lineNumber}: expected 4 fields (date,amount,reference,description).");
            }
            if (ParseDate(fields[0]) is not { } date)
            {
                return LedgerError.InvalidAmount($"line {lineNumber}: '{fields[0]}' is not a date (yyyy-MM-dd).");
            }
            var money = Money.Parse(fields[1], currency);
            if (!money.IsSuccess || money.Value.Minor == 0)
            {
                return LedgerError.InvalidAmount($"line {lineNumber}: {(money.IsSuccess ? "the amount cannot be zero." : money.Error!.Message)}");
            }
            lines.Add(new StatementLine(lineNumber, date, money.Value.Minor, Blank(fields[2]), Blank(fields[3]))); // numbered as the file's lines
        }
        return new BankStatement(currency, lines);
    }

    private static string? Blank(string text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static DateOnly? ParseDate(string? text) =>
        text is { Length: >= 10 } && DateOnly.TryParseExact(text[..10], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date : null;

    /// <summary>RFC 4180 fields of one line: quoted fields may hold commas and doubled quotes. Null when a quote is left open.</summary>
    private static List<string>? SplitCsv(string line)
    {
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"' && field.Length == 0)
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }
        if (quoted)
        {
            return null;
        }
        fields.Add(field.ToString());
        return fields;
    }

    private static LedgerError Refuse(string why, XmlReader reader)
    {
        var at = (IXmlLineInfo)reader;
        return LedgerError.InvalidAmount($"line {at.LineNumber}, column {at.LinePosition}: {why}.");
    }
}
