using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Finsoft.Api.Tests.Infrastructure;

namespace Finsoft.Api.Tests;

/// <summary>Reconciling a bank statement of the settlement account with planted discrepancies, over HTTP.</summary>
public abstract class ReconciliationApiTests(DatabaseKind kind)
{
    private static async Task<HttpResponseMessage> PostStatementAsync(ApiClient api, string token, string query, string body, string mediaType = "text/csv")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/reconciliations?{query}") { Content = new StringContent(body, Encoding.UTF8, mediaType) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await api.Http.SendAsync(request);
    }

    [DbFact]
    public async Task A_statement_with_planted_faults_finds_exactly_them_and_each_can_be_resolved()
    {
        var world = await TwoCustomers.StartAsync(kind, "1000.00");
        await using var app = world.App;
        var (api, admin) = (world.Api, world.Admin);
        var analyst = await api.CreateUserAsync(admin.Token, "analyst");
        var firstDeposit = (await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/accounts/{world.AliceAccount}/transactions", token: world.Alice.Token))
            [0].GetProperty("id").GetGuid();
        await api.DepositAsync(admin.Token, world.AliceAccount, "2000.00");
        var missing = (await api.DepositAsync(admin.Token, world.AliceAccount, "3000.00")).GetProperty("id").GetGuid();
        var destination = await api.VerifiedDestinationAsync(world.Alice.Token);
        var payouts = new List<Guid>();
        foreach (var amount in new[] { "100.00", "200.00", "300.00" })
        {
            var payout = (await api.ExpectAsync(HttpStatusCode.Accepted, HttpMethod.Post, "/api/v1/transactions/withdrawal",
                new { origin_account_id = world.AliceAccount, external_destination_account_id = destination, amount }, world.Alice.Token)).GetProperty("id").GetGuid();
            Assert.Equal("COMPLETED", (await api.WaitForStatusAsync(world.Alice.Token, payout, "COMPLETED", "FAILED")).Status);
            payouts.Add(payout);
        }
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var csv = string.Join('\n',
            "date,amount,reference,description",
            $"{today},1000.50,{firstDeposit},opening deposit", // the bank says 0.50 more: a discrepancy
            $"{today},2000.00,,transfer in", // no reference: matched by amount and day
            $"{today},-100.00,{payouts[0]},payout", // by reference
            $"{today},-500.00,BATCH-1,payouts 2 and 3", // one line for two payouts
            $"{today},-45.00,,bank fee") + "\n"; // not in the ledger; and the 3,000.00 deposit is missing from the statement

        var camt = $"""
            <Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt><Acct><Ccy>MXN</Ccy></Acct>
            <Ntry><Amt Ccy="MXN">1000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><ValDt><Dt>{today}</Dt></ValDt>
            <NtryDtls><TxDtls><Refs><EndToEndId>{firstDeposit}</EndToEndId></Refs></TxDtls></NtryDtls></Ntry>
            </Stmt></BkToCstmrStmt></Document>
            """;
        var camtDry = await ApiClient.BodyAsync(await PostStatementAsync(api, analyst.Token, "format=camt053&currency=MXN&dry_run=true", camt, "application/xml"));
        Assert.Equal((1, 1, 5), (camtDry.GetProperty("line_count").GetInt32(), camtDry.GetProperty("matched_count").GetInt32(),
            camtDry.GetProperty("unmatched_ledger").GetArrayLength()));

        var dry = await PostStatementAsync(api, analyst.Token, "format=csv&currency=MXN&dry_run=true", csv);
        Assert.Equal(HttpStatusCode.OK, dry.StatusCode);
        Assert.Equal(3, (await ApiClient.BodyAsync(dry)).GetProperty("matched_count").GetInt32());
        Assert.Equal(0, await app.WithDbAsync(db => Task.FromResult(db.Reconciliations.Count())));

        var accepted = await PostStatementAsync(api, analyst.Token, "format=csv&currency=MXN", csv);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var id = (await ApiClient.BodyAsync(accepted)).GetProperty("id").GetGuid();
        JsonElement result = default;
        for (var i = 0; i < 200; i++)
        {
            result = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/reconciliations/{id}", token: analyst.Token);
            if (result.GetProperty("status").GetString() != "running")
            {
                break;
            }
            await Task.Delay(50);
        }
        Assert.Equal(("completed", 100, 5, 3), (result.GetProperty("status").GetString(), result.GetProperty("progress").GetInt32(),
            result.GetProperty("line_count").GetInt32(), result.GetProperty("matched_count").GetInt32()));
        var notOnStatement = Assert.Single(result.GetProperty("unmatched_ledger").EnumerateArray());
        Assert.Equal((missing, "3000.00"), (notOnStatement.GetProperty("transaction_id").GetGuid(), notOnStatement.GetProperty("ledger_amount").GetString()));
        var notInLedger = Assert.Single(result.GetProperty("unmatched_statement").EnumerateArray());
        Assert.Equal((6, "-45.00"), (notInLedger.GetProperty("line").GetInt32(), notInLedger.GetProperty("statement_amount").GetString())); // the file's line
        var discrepancy = Assert.Single(result.GetProperty("discrepancies").EnumerateArray());
        Assert.Equal(("amount_mismatch", firstDeposit, "1000.50", "1000.00"), (discrepancy.GetProperty("detail").GetString(),
            discrepancy.GetProperty("transaction_id").GetGuid(), discrepancy.GetProperty("statement_amount").GetString(), discrepancy.GetProperty("ledger_amount").GetString()));

        var item = notInLedger.GetProperty("id").GetGuid();
        var resolved = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/reconciliations/{id}/items/{item}/resolve",
            new { action = "corrected", note = "Bank fee booked by hand." }, analyst.Token);
        Assert.Equal(("corrected", analyst.UserId), (resolved.GetProperty("resolution").GetString(), resolved.GetProperty("resolved_by").GetGuid()));
        await ApiClient.AssertProblemAsync(await api.PostAsync($"/api/v1/reconciliations/{id}/items/{item}/resolve", new { action = "accepted", note = "again" },
            analyst.Token), HttpStatusCode.Conflict);
        await ApiClient.AssertProblemAsync(await api.PostAsync($"/api/v1/reconciliations/{id}/items/{item}/resolve", new { action = "shrug", note = "x" },
            analyst.Token), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("reconciliation.item_resolved", await app.WithDbAsync(db => Task.FromResult(db.AuditEvents.Select(e => e.Event).ToList())));
        await ApiClient.AssertProblemAsync(await api.GetAsync($"/api/v1/reconciliations/{id}", world.Alice.Token), HttpStatusCode.Forbidden);
    }

    [DbFact]
    public async Task The_simulated_banks_own_statement_reconciles_in_full_and_its_planted_faults_are_exactly_what_is_found()
    {
        foreach (var faults in new[] { "", "missing_line,wrong_amount" })
        {
            var settings = new Dictionary<string, string?>();
            foreach (var (fault, i) in faults.Split(',', StringSplitOptions.RemoveEmptyEntries).Select((f, i) => (f, i)))
            {
                settings[$"Finsoft:Bank:StatementFaults:{i}"] = fault;
            }
            var world = await TwoCustomers.StartAsync(kind, "900.00", settings);
            await using var app = world.App;
            var api = world.Api;
            var analyst = await api.CreateUserAsync(world.Admin.Token, "analyst");
            await api.DepositAsync(world.Admin.Token, world.BobAccount, "50.00");
            var destination = await api.VerifiedDestinationAsync(world.Alice.Token);
            var payout = Guid.Empty;
            foreach (var amount in new[] { "10.00", "20.00" })
            {
                payout = (await api.ExpectAsync(HttpStatusCode.Accepted, HttpMethod.Post, "/api/v1/transactions/withdrawal",
                    new { origin_account_id = world.AliceAccount, external_destination_account_id = destination, amount }, world.Alice.Token)).GetProperty("id").GetGuid();
                await api.WaitForStatusAsync(world.Alice.Token, payout, "COMPLETED", "FAILED");
            }
            // The bank tells the ledger first and marks its own book after: wait for the last payout (the first is paid before it).
            var statement = "";
            for (var i = 0; i < 100 && !statement.Contains(payout.ToString(), StringComparison.Ordinal); i++, await Task.Delay(50))
            {
                statement = await (await api.GetAsync("/api/v1/bank/statements?currency=MXN", analyst.Token)).Content.ReadAsStringAsync();
            }
            Assert.Contains("camt.053", statement, StringComparison.Ordinal);

            var result = await ApiClient.BodyAsync(await PostStatementAsync(api, analyst.Token, "format=camt053&currency=MXN&dry_run=true", statement, "application/xml"));

            if (faults.Length == 0)
            {
                Assert.Equal((4, 4, 0, 0, 0), (result.GetProperty("line_count").GetInt32(), result.GetProperty("matched_count").GetInt32(),
                    result.GetProperty("unmatched_ledger").GetArrayLength(), result.GetProperty("unmatched_statement").GetArrayLength(), result.GetProperty("discrepancies").GetArrayLength()));
            }
            else
            {
                // The first payout left out, the first line (Alice's opening deposit) a cent off.
                Assert.Equal((3, 2), (result.GetProperty("line_count").GetInt32(), result.GetProperty("matched_count").GetInt32()));
                Assert.Equal("-10.00", Assert.Single(result.GetProperty("unmatched_ledger").EnumerateArray()).GetProperty("ledger_amount").GetString());
                var wrong = Assert.Single(result.GetProperty("discrepancies").EnumerateArray());
                Assert.Equal(("900.01", "900.00"), (wrong.GetProperty("statement_amount").GetString(), wrong.GetProperty("ledger_amount").GetString()));
                Assert.Empty(result.GetProperty("unmatched_statement").EnumerateArray());
            }
        }
    }

    [DbFact]
    public async Task A_malformed_statement_another_currency_or_xml_with_a_dtd_is_a_400_that_says_where_and_stores_nothing()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var analyst = await api.CreateUserAsync((await api.AdminAsync()).Token, "analyst");
        var usd = """<Document><BkToCstmrStmt><Stmt><Acct><Ccy>USD</Ccy></Acct></Stmt></BkToCstmrStmt></Document>""";
        var xxe = """<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><Document><BkToCstmrStmt><Stmt>&x;</Stmt></BkToCstmrStmt></Document>""";
        var cases = new (string Query, string Body, string Says)[]
        {
            ("format=csv&currency=MXN", "date,amount,reference,description\n2027-03-01,12.345,x,y\n", "line 2"),
            ("format=camt053&currency=MXN", usd, "USD account"),
            ("format=camt053&currency=MXN", xxe, "DTD"),
            ("format=camt053&currency=MXN", "<Document><Stmt>", "line 1"),
        };
        foreach (var (query, body, says) in cases)
        {
            var response = await PostStatementAsync(api, analyst.Token, query, body, "application/xml");
            var problem = await ApiClient.BodyAsync(response);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, problem.ToString());
            Assert.Contains(says, problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("root:", problem.ToString(), StringComparison.Ordinal);
        }
        await ApiClient.AssertProblemAsync(await PostStatementAsync(api, analyst.Token, "format=mt940&currency=MXN", "x"), HttpStatusCode.UnprocessableEntity);
        Assert.Equal(0, await app.WithDbAsync(db => Task.FromResult(db.Reconciliations.Count())));
    }
}

public sealed class ReconciliationApiTestsOnSqlite() : ReconciliationApiTests(DatabaseKind.Sqlite);

public sealed class ReconciliationApiTestsOnPostgres() : ReconciliationApiTests(DatabaseKind.Postgres), IPostgresTests;
