using System.Globalization;
using System.Text;
using System.Xml;

namespace Finsoft.Ledger.Reconciliation;

/// <summary>Writes a bank statement as ISO 20022 camt.053.001.08 (what a bank sends, and what <see cref="StatementFormats"/> reads).</summary>
public static class Camt053Writer
{
    private const string Namespace = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08";

    public static string Write(BankStatement statement, string accountId, string statementId, DateTime createdAt)
    {
        // Through bytes, so the declaration says UTF-8 (a writer over a string would declare UTF-16).
        var bytes = new MemoryStream();
        using (var xml = XmlWriter.Create(bytes, new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false) }))
        {
            xml.WriteStartElement("Document", Namespace);
            xml.WriteStartElement("BkToCstmrStmt");
            xml.WriteStartElement("GrpHdr");
            xml.WriteElementString("MsgId", statementId);
            xml.WriteElementString("CreDtTm", createdAt.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
            xml.WriteEndElement();
            xml.WriteStartElement("Stmt");
            xml.WriteElementString("Id", statementId);
            xml.WriteElementString("CreDtTm", createdAt.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
            xml.WriteStartElement("Acct");
            xml.WriteStartElement("Id");
            xml.WriteStartElement("Othr");
            xml.WriteElementString("Id", accountId);
            xml.WriteEndElement();
            xml.WriteEndElement();
            xml.WriteElementString("Ccy", statement.Currency.Code);
            xml.WriteEndElement();
            foreach (var line in statement.Lines)
            {
                var date = line.ValueDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                xml.WriteStartElement("Ntry");
                xml.WriteStartElement("Amt");
                xml.WriteAttributeString("Ccy", statement.Currency.Code);
                xml.WriteString(Money.Format(Math.Abs(line.Amount), statement.Currency));
                xml.WriteEndElement();
                xml.WriteElementString("CdtDbtInd", line.Amount > 0 ? "CRDT" : "DBIT");
                xml.WriteStartElement("Sts");
                xml.WriteElementString("Cd", "BOOK");
                xml.WriteEndElement();
                xml.WriteStartElement("BookgDt");
                xml.WriteElementString("Dt", date);
                xml.WriteEndElement();
                xml.WriteStartElement("ValDt");
                xml.WriteElementString("Dt", date);
                xml.WriteEndElement();
                xml.WriteStartElement("NtryDtls");
                xml.WriteStartElement("TxDtls");
                xml.WriteStartElement("Refs");
                xml.WriteElementString("EndToEndId", line.Reference ?? "NOTPROVIDED");
                xml.WriteEndElement();
                xml.WriteEndElement();
                xml.WriteEndElement();
                if (line.Description is { } description)
                {
                    xml.WriteElementString("AddtlNtryInf", description);
                }
                xml.WriteEndElement();
            }
            xml.WriteEndElement();
            xml.WriteEndElement();
            xml.WriteEndElement();
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }
}
