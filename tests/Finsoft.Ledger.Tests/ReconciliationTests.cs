using System.Text;
using Finsoft.Ledger.Reconciliation;

namespace Finsoft.Ledger.Tests;

/// <summary>Reading bank statements (camt.053, CSV) and matching them against the ledger.</summary>
public class ReconciliationTests
{
    private static readonly Currency Mxn = Currency.Get("MXN");
    private static readonly DateOnly Day = new(2027, 3, 1);

    public static string Camt(string currency, params (string Amount, string Sign, string Date, string? Reference)[] entries)
    {
        var xml = new StringBuilder("""
            <?xml version="1.0" encoding="UTF-8"?>
            <Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
              <BkToCstmrStmt>
                <GrpHdr><MsgId>STMT-1</MsgId><CreDtTm>2027-03-02T06:00:00Z</CreDtTm></GrpHdr>
                <Stmt>
                  <Id>1</Id>
            """);
        xml.Append($"      <Acct><Id><Othr><Id>012180001234567897</Id></Othr></Id><Ccy>{currency}</Ccy></Acct>\n");
        foreach (var (amount, sign, date, reference) in entries)
        {
            xml.Append($"""
                      <Ntry>
                        <Amt Ccy="{currency}">{amount}</Amt><CdtDbtInd>{sign}</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
                        <BookgDt><Dt>{date}</Dt></BookgDt><ValDt><Dt>{date}</Dt></ValDt>
                        <NtryDtls><TxDtls><Refs>{(reference is null ? "" : $"<EndToEndId>{reference}</EndToEndId>")}</Refs></TxDtls></NtryDtls>
                        <AddtlNtryInf>payout</AddtlNtryInf>
                      </Ntry>

                """);
        }
        xml.Append("    </Stmt>\n  </BkToCstmrStmt>\n</Document>\n");
        return xml.ToString();
    }

    private static Result<BankStatement> ReadCamt(string xml) => StatementFormats.ParseCamt053(new MemoryStream(Encoding.UTF8.GetBytes(xml)), Mxn);

    [Fact]
    public void A_camt053_statement_reads_signed_amounts_value_dates_and_references()
    {
        var statement = ReadCamt(Camt("MXN", ("150.25", "DBIT", "2027-03-01", "PAYOUT-1"), ("1000.00", "CRDT", "2027-03-02", null))).Value;

        Assert.Equal([new StatementLine(1, Day, -15_025, "PAYOUT-1", "payout"), new StatementLine(2, Day.AddDays(1), 100_000, null, "payout")], statement.Lines);
    }

    [Fact]
    public void A_statement_of_another_currency_or_a_malformed_entry_is_refused_saying_where()
    {
        Assert.Contains("USD account", ReadCamt(Camt("USD", ("1.00", "DBIT", "2027-03-01", null))).Error!.Message, StringComparison.Ordinal);
        Assert.Contains("entry 1 (line", ReadCamt(Camt("MXN", ("1.001", "DBIT", "2027-03-01", null))).Error!.Message, StringComparison.Ordinal);
        Assert.Contains("CdtDbtInd", ReadCamt(Camt("MXN", ("1.00", "SIDEWAYS", "2027-03-01", null))).Error!.Message, StringComparison.Ordinal);
        Assert.Contains("line", ReadCamt("<Document><BkToCstmrStmt><Stmt>").Error!.Message, StringComparison.Ordinal);
        Assert.Contains("no Stmt", ReadCamt("<Document/>").Error!.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><Document><BkToCstmrStmt><Stmt><Ntry><AddtlNtryInf>&x;</AddtlNtryInf></Ntry></Stmt></BkToCstmrStmt></Document>""")]
    [InlineData("""<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><Document>&c;</Document>""")]
    public void Xml_with_a_dtd_is_refused_before_any_entity_is_read(string xml)
    {
        var error = ReadCamt(xml).Error!;

        Assert.Contains("DTD", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("root:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_csv_statement_reads_quoted_fields_and_names_a_bad_line()
    {
        var csv = "date,amount,reference,description\n2027-03-01,-150.25,PAYOUT-1,\"Payout, to \"\"Ana\"\"\"\n2027-03-02,1000.00,,deposit\n";

        var statement = StatementFormats.ParseCsv(new StringReader(csv), Mxn).Value;

        // Numbered as the file's lines, the header being line 1, so a person finds the row the item names.
        Assert.Equal([new StatementLine(2, Day, -15_025, "PAYOUT-1", "Payout, to \"Ana\""), new StatementLine(3, Day.AddDays(1), 100_000, null, "deposit")], statement.Lines);
        Assert.Contains("line 4", StatementFormats.ParseCsv(new StringReader(csv + "2027-13-01,1.00,x,y\n"), Mxn).Error!.Message, StringComparison.Ordinal);
        Assert.Contains("line 2", StatementFormats.ParseCsv(new StringReader("date,amount,reference,description\n2027-03-01,abc,x,y\n"), Mxn).Error!.Message,
            StringComparison.Ordinal);
        Assert.Contains("header", StatementFormats.ParseCsv(new StringReader("when,how much\n"), Mxn).Error!.Message, StringComparison.Ordinal);
    }

    private static readonly LedgerItem PayoutA = new(Guid.NewGuid(), Day, -10_000, "A");
    private static readonly LedgerItem PayoutB = new(Guid.NewGuid(), Day, -20_000, "B");
    private static readonly LedgerItem PayoutC = new(Guid.NewGuid(), Day.AddDays(1), -5_000, "C");
    private static readonly LedgerItem PayoutD = new(Guid.NewGuid(), Day.AddDays(1), -7_000, "D");
    private static readonly LedgerItem DepositE = new(Guid.NewGuid(), Day, 50_000, "E");
    private static readonly LedgerItem PayoutF = new(Guid.NewGuid(), Day.AddDays(2), -3_000, "F");

    [Fact]
    public void Lines_match_by_reference_then_by_amount_and_date_then_one_line_for_a_days_movements()
    {
        LedgerItem[] ledger = [PayoutA, PayoutB, PayoutC, PayoutD, DepositE, PayoutF];
        StatementLine[] statement =
        [
            new(1, Day, -10_000, "A", null), // by reference
            new(2, Day.AddDays(1), 50_000, null, null), // by amount, a day later: within the window
            new(3, Day.AddDays(1), -12_000, "BATCH-0302", null), // C and D, booked as one
            new(4, Day, -20_050, "B", null), // B's reference, 0.50 more: a discrepancy
            new(5, Day.AddDays(2), -99_999, null, "fee we never booked"),
        ];

        var result = Matcher.Match(ledger, statement, new MatchRules());

        Assert.Equal([new Match(1, [PayoutA.Id], MatchKind.Reference), new Match(2, [DepositE.Id], MatchKind.AmountAndDate)],
            result.Matches.Take(2).Select(m => m with { Ledger = [.. m.Ledger] }).ToList(), new MatchComparer());
        var batch = result.Matches.Single(m => m.Line == 3);
        Assert.Equal(MatchKind.OneToMany, batch.Kind);
        Assert.Equal(new[] { PayoutC.Id, PayoutD.Id }.Order(), batch.Ledger);
        Assert.Equal([new Discrepancy(4, PayoutB.Id, "amount_mismatch", -20_050, -20_000, Day, Day)], result.Discrepancies);
        Assert.Equal([5], result.UnmatchedStatement.Select(l => l.Number));
        Assert.Equal([PayoutF], result.UnmatchedLedger); // in the books, missing from the statement
    }

    [Fact]
    public void A_tolerance_absorbs_small_differences_and_two_equal_candidates_are_not_guessed()
    {
        var twin = PayoutA with { Id = Guid.NewGuid(), Reference = "A2" };

        var tolerant = Matcher.Match([PayoutB], [new StatementLine(1, Day, -20_050, "B", null)], new MatchRules(AmountTolerance: 50));
        var ambiguous = Matcher.Match([PayoutA, twin], [new StatementLine(1, Day, -10_000, null, null)], new MatchRules());
        var late = Matcher.Match([PayoutA], [new StatementLine(1, Day.AddDays(10), -10_000, null, null)], new MatchRules(DateWindowDays: 3));

        Assert.Equal(MatchKind.Reference, Assert.Single(tolerant.Matches).Kind);
        Assert.Empty(ambiguous.Matches);
        Assert.Equal(2, ambiguous.UnmatchedLedger.Count);
        Assert.Empty(late.Matches);
    }

    [Fact]
    public void A_second_line_naming_a_matched_movement_is_a_duplicate_not_a_match_for_another_of_that_amount()
    {
        var sameAmount = PayoutA with { Id = Guid.NewGuid(), Reference = "A-twin" };

        var result = Matcher.Match([PayoutA, sameAmount], [new StatementLine(1, Day, -10_000, "A", null), new StatementLine(2, Day, -10_000, "A", null)], new MatchRules());

        Assert.Equal(MatchKind.Reference, Assert.Single(result.Matches).Kind);
        Assert.Equal(("duplicate_reference", 2), (Assert.Single(result.Discrepancies).Kind, result.Discrepancies[0].Line));
        Assert.Equal([sameAmount], result.UnmatchedLedger);
    }

    [Fact]
    public void Movements_read_for_the_window_but_dated_outside_the_statements_days_are_not_reported_missing()
    {
        var dayBefore = PayoutA with { Id = Guid.NewGuid(), Date = Day.AddDays(-1), Reference = "before" };

        var result = Matcher.Match([dayBefore, PayoutB], [new StatementLine(1, Day, -20_000, "B", null)], new MatchRules(DateWindowDays: 3));

        Assert.Empty(result.UnmatchedLedger);
    }

    [Fact]
    public void A_wide_tolerance_finds_candidates_by_search_and_still_refuses_to_guess()
    {
        var items = Enumerable.Range(0, 20_000).Select(i => new LedgerItem(Guid.NewGuid(), Day, -(100_000 + i * 10_000L), $"r{i}")).ToList();

        var result = Matcher.Match(items, [new StatementLine(1, Day, -100_010_000 + 500, null, null), new StatementLine(2, Day, -155_000, null, null)],
            new MatchRules(AmountTolerance: 5_000));

        Assert.Equal([items[9_991].Id], Assert.Single(result.Matches).Ledger); // 100,009,500 is within 5,000 of 100,010,000 only
        Assert.Equal([2], result.UnmatchedStatement.Select(l => l.Number)); // 155,000 is 5,000 from both 150,000 and 160,000: a person decides
    }

    [Fact]
    public void A_reversal_keeps_the_direction_it_is_booked_in_and_a_batch_entry_is_not_named_by_its_first_transaction()
    {
        var xml = Camt("MXN", ("10.00", "CRDT", "2027-03-01", "PAYOUT-9")).Replace("<CdtDbtInd>CRDT</CdtDbtInd>", "<CdtDbtInd>CRDT</CdtDbtInd><RvslInd>true</RvslInd>",
            StringComparison.Ordinal);
        var batch = Camt("MXN", ("30.00", "DBIT", "2027-03-01", "PAYOUT-1")).Replace("</TxDtls>", "</TxDtls><TxDtls><Refs><EndToEndId>PAYOUT-2</EndToEndId></Refs></TxDtls>",
            StringComparison.Ordinal);

        Assert.Equal(1_000, ReadCamt(xml).Value.Lines[0].Amount); // a returned payout: money back in
        Assert.Null(ReadCamt(batch).Value.Lines[0].Reference);
    }

    private sealed class MatchComparer : IEqualityComparer<Match>
    {
        public bool Equals(Match? x, Match? y) => x is not null && y is not null && x.Line == y.Line && x.Kind == y.Kind && x.Ledger.SequenceEqual(y.Ledger);

        public int GetHashCode(Match obj) => obj.Line;
    }
}

/// <summary>What the camt.053 writer writes, the reader reads back line for line.</summary>
public class Camt053WriterTests
{
    [Fact]
    public void A_written_statement_reads_back_the_same_lines()
    {
        var mxn = Currency.Get("MXN");
        var statement = new BankStatement(mxn,
            [new StatementLine(1, new DateOnly(2027, 3, 1), 90_000, "ref-1", "Transfer <received> & kept"), new StatementLine(2, new DateOnly(2027, 3, 1), -1_000, null, null)]);

        var xml = Camt053Writer.Write(statement, "ACC", "S-1", new DateTime(2027, 3, 2, 0, 0, 0, DateTimeKind.Utc));
        var read = StatementFormats.ParseCamt053(new MemoryStream(Encoding.UTF8.GetBytes(xml)), mxn).Value;

        Assert.StartsWith("<?xml version=\"1.0\" encoding=\"utf-8\"?>", xml, StringComparison.Ordinal);
        Assert.Equal(statement.Lines, read.Lines);
    }
}
