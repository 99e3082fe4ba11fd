using System.Diagnostics;
using System.Globalization;
using System.Text;
using Finsoft.Ledger;
using Finsoft.Ledger.Reconciliation;

// Reconciliation speed: a statement of RECONCILE_LINES lines (CSV and camt.053) read and matched against as many ledger
// movements, with faults planted (lines missing, amounts changed, unknown lines, batched payouts). Lines per second for
// reading and for matching, against the reference of splitting the same CSV into fields, measured in the same run.
var count = int.Parse(Environment.GetEnvironmentVariable("RECONCILE_LINES") ?? "1000000", CultureInfo.InvariantCulture);
var mxn = Currency.Get("MXN");
var random = new Random(2027);
var start = new DateOnly(2027, 1, 1);
var ledger = new List<LedgerItem>(count);
var csv = new StringBuilder("date,amount,reference,description\n");
var camt = new StringBuilder("<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.08\"><BkToCstmrStmt><Stmt><Acct><Ccy>MXN</Ccy></Acct>\n");
var planted = 0;
for (var i = 0; i < count; i++)
{
    var id = Guid.CreateVersion7();
    var date = start.AddDays(i * 90 / count);
    var amount = (random.Next(2) == 0 ? 1 : -1) * (long)random.Next(100, 5_000_000);
    ledger.Add(new LedgerItem(id, date, amount, id.ToString()));
    var fault = random.Next(1000);
    if (fault == 0)
    {
        planted++; // missing from the statement
        continue;
    }
    var stated = fault == 999 ? amount + 1 : amount; // a referenced line the bank booked a cent off
    planted += fault == 999 ? 1 : 0;
    var named = fault < 300 ? "" : id.ToString(); // 30% without a reference: matched by amount and day
    var text = Money.Format(stated, mxn);
    csv.Append(CultureInfo.InvariantCulture, $"{date:yyyy-MM-dd},{text},{named},line {i}\n");
    camt.Append(CultureInfo.InvariantCulture,
        $"<Ntry><Amt Ccy=\"MXN\">{Money.Format(Math.Abs(stated), mxn)}</Amt><CdtDbtInd>{(stated > 0 ? "CRDT" : "DBIT")}</CdtDbtInd><ValDt><Dt>{date:yyyy-MM-dd}</Dt></ValDt><NtryDtls><TxDtls><Refs><EndToEndId>{(named.Length == 0 ? "NOTPROVIDED" : named)}</EndToEndId></Refs></TxDtls></NtryDtls></Ntry>\n");
}
camt.Append("</Stmt></BkToCstmrStmt></Document>\n");
var (csvText, camtBytes) = (csv.ToString(), Encoding.UTF8.GetBytes(camt.ToString()));
Console.WriteLine($"{count:N0} ledger movements over 90 days; statement {csvText.Length / 1_048_576.0:F0} MB as CSV, {camtBytes.Length / 1_048_576.0:F0} MB as camt.053; {planted:N0} faults planted");

var clock = Stopwatch.StartNew();
var fields = 0L;
foreach (var line in csvText.AsSpan().EnumerateLines())
{
    foreach (var _ in line.Split(','))
    {
        fields++;
    }
}
var reference = count / clock.Elapsed.TotalSeconds;
Console.WriteLine($"reference: splitting the CSV into {fields:N0} fields: {reference:N0} lines/s");

clock.Restart();
var fromCsv = StatementFormats.ParseCsv(new StringReader(csvText), mxn).Value;
Report("read CSV", fromCsv.Lines.Count, clock.Elapsed);
clock.Restart();
var fromCamt = StatementFormats.ParseCamt053(new MemoryStream(camtBytes), mxn).Value;
Report("read camt.053", fromCamt.Lines.Count, clock.Elapsed);
clock.Restart();
var result = Matcher.Match(ledger, fromCsv.Lines, new MatchRules());
Report("match", fromCsv.Lines.Count, clock.Elapsed);
Console.WriteLine($"matched {result.Matches.Count:N0} ({result.Matches.Count(m => m.Kind == MatchKind.Reference):N0} by reference, " +
    $"{result.Matches.Count(m => m.Kind == MatchKind.AmountAndDate):N0} by amount and day, {result.Matches.Count(m => m.Kind == MatchKind.OneToMany):N0} one-to-many); " +
    $"{result.UnmatchedLedger.Count:N0} movements not on the statement, {result.UnmatchedStatement.Count:N0} lines not in the ledger, {result.Discrepancies.Count:N0} discrepancies");

void Report(string phase, int lines, TimeSpan took) =>
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{phase,-14} {lines:N0} lines in {took.TotalMilliseconds:N0} ms: {lines / took.TotalSeconds:N0} lines/s ({lines / took.TotalSeconds / reference:P1} of the reference)"));
