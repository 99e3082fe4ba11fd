using System.Text;
using System.Net;
using System.Text.Json;
using Finsoft.Api.Tests.Infrastructure;

namespace Finsoft.Api.Tests;

/// <summary>Accounting reports from the journal after random activity, account statements and the biggest account per currency.</summary>
public abstract class ReportsTests(DatabaseKind kind)
{
    private static decimal Amount(JsonElement element, string name) => decimal.Parse(element.GetProperty(name).GetString()!, System.Globalization.CultureInfo.InvariantCulture);

    private static decimal Line(JsonElement lines, string account) =>
        lines.EnumerateArray().Where(l => l.GetProperty("account").GetString() == account).Select(l => Amount(l, "amount")).SingleOrDefault();

    [DbFact]
    public async Task Reports_balance_after_random_activity_and_agree_with_the_accounts()
    {
        var world = await TwoCustomers.StartAsync(kind, "1000.00");
        await using var app = world.App;
        var api = world.Api;
        var admin = world.Admin.Token;
        var random = new Random(20261121);
        var accounts = new[] { (world.Alice.Token, world.AliceAccount), (world.Bob.Token, world.BobAccount) };
        var before = DateTime.UtcNow;
        decimal deposits = 1000m, adjustments = 0m;
        for (var i = 0; i < 40; i++)
        {
            var (token, from) = accounts[random.Next(2)];
            var to = accounts.First(a => a.Item2 != from).Item2;
            switch (random.Next(4))
            {
                case 0:
                    var deposit = random.Next(1, 500);
                    await api.DepositAsync(admin, from, $"{deposit}.00");
                    deposits += deposit;
                    break;
                case 1:
                    var balance = decimal.Parse(await api.BalanceAsync(admin, from), System.Globalization.CultureInfo.InvariantCulture);
                    var target = Math.Max(0, balance + random.Next(-50, 50));
                    await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, $"/api/v1/accounts/{from}", new { balance = target.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture) }, admin);
                    adjustments += target - balance;
                    break;
                default:
                    using (await api.TransferAsync(token, from, to, $"{random.Next(1, 300)}.{random.Next(0, 99):D2}"))
                    {
                    }
                    break;
            }
        }
        var wallets = 0m;
        foreach (var (_, id) in accounts)
        {
            wallets += decimal.Parse(await api.BalanceAsync(admin, id), System.Globalization.CultureInfo.InvariantCulture);
        }

        var trial = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/reports/trial-balance?currency=MXN", token: admin);
        Assert.True(trial.GetProperty("balanced").GetBoolean());
        Assert.Equal(trial.GetProperty("total_debits").GetString(), trial.GetProperty("total_credits").GetString());
        var lines = trial.GetProperty("accounts").EnumerateArray().ToDictionary(l => l.GetProperty("account").GetString()!, l => Amount(l, "balance"));
        Assert.Equal(wallets, lines["customer_wallets"]);

        var sheet = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/reports/balance-sheet", token: admin);
        Assert.True(sheet.GetProperty("balanced").GetBoolean());
        Assert.Equal(Amount(sheet, "total_assets"), Amount(sheet, "total_liabilities") + Amount(sheet, "total_equity"));
        Assert.Equal(deposits, Amount(sheet, "total_assets"));
        Assert.Equal(wallets, Amount(sheet, "total_liabilities"));

        // Adjustments that raised customer balances are the platform's loss.
        var income = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/reports/income-statement", token: admin);
        Assert.Equal(-adjustments, Amount(income, "net_income"));
        Assert.Equal(-adjustments, Line(sheet.GetProperty("equity"), "retained_earnings"));

        var cash = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/reports/cash-flow?from={before:O}", token: admin);
        Assert.Equal(Amount(cash, "opening_cash") + Amount(cash, "net_change"), Amount(cash, "closing_cash"));
        Assert.Equal(deposits, Amount(cash, "closing_cash"));
        Assert.Equal(deposits - 1000m, Line(cash.GetProperty("inflows"), "deposits"));

        // As of a moment before anything happened, everything is zero and still balanced.
        var empty = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/reports/balance-sheet?as_of=2020-01-01T00:00:00Z", token: admin);
        Assert.Equal("0.00", empty.GetProperty("total_assets").GetString());
        Assert.True(empty.GetProperty("balanced").GetBoolean());
        await ApiClient.AssertProblemAsync(await api.GetAsync("/api/v1/reports/trial-balance?currency=XYZ", admin), HttpStatusCode.UnprocessableEntity);
        await ApiClient.AssertProblemAsync(await api.GetAsync("/api/v1/reports/cash-flow?from=2030-01-01&as_of=2029-01-01", admin), HttpStatusCode.UnprocessableEntity);
    }

    [DbFact]
    public async Task A_statement_has_opening_running_and_closing_balances_in_json_and_csv()
    {
        var world = await TwoCustomers.StartAsync(kind, "100.00");
        await using var app = world.App;
        var api = world.Api;
        await api.TransferAsync(world.Alice.Token, world.AliceAccount, world.BobAccount, "10.00");
        var middle = DateTime.UtcNow;
        await Task.Delay(20);
        await api.TransferAsync(world.Alice.Token, world.AliceAccount, world.BobAccount, "2.50");
        await api.TransferAsync(world.Bob.Token, world.BobAccount, world.AliceAccount, "1.25");

        var full = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/accounts/{world.AliceAccount}/statement", token: world.Alice.Token);
        Assert.Equal(("0.00", "88.75", 4), (full.GetProperty("opening_balance").GetString(), full.GetProperty("closing_balance").GetString(),
            full.GetProperty("count").GetInt32()));
        Assert.Equal(["100.00", "-10.00", "-2.50", "1.25"], full.GetProperty("movements").EnumerateArray().Select(m => m.GetProperty("amount").GetString()!));
        Assert.Equal(["100.00", "90.00", "87.50", "88.75"], full.GetProperty("movements").EnumerateArray().Select(m => m.GetProperty("running_balance").GetString()!));
        Assert.Equal("Test User", full.GetProperty("holder").GetString());

        var later = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/accounts/{world.AliceAccount}/statement?from={middle:O}", token: world.Alice.Token);
        Assert.Equal(("90.00", "88.75", 2), (later.GetProperty("opening_balance").GetString(), later.GetProperty("closing_balance").GetString(),
            later.GetProperty("count").GetInt32()));

        using var csv = await api.GetAsync($"/api/v1/accounts/{world.AliceAccount}/statement?format=csv", world.Alice.Token);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        var text = await csv.Content.ReadAsStringAsync();
        Assert.Contains("sequence,date,transaction_id,type,description,amount,running_balance", text, StringComparison.Ordinal);
        Assert.Contains(",-2.50,87.50", text, StringComparison.Ordinal);
        Assert.Contains("closing_balance,88.75", text, StringComparison.Ordinal);

        await ApiClient.AssertProblemAsync(await api.GetAsync($"/api/v1/accounts/{world.AliceAccount}/statement?format=doc", world.Alice.Token),
            HttpStatusCode.UnprocessableEntity);
        await ApiClient.AssertProblemAsync(await api.GetAsync($"/api/v1/accounts/{world.AliceAccount}/statement", world.Bob.Token), HttpStatusCode.NotFound);
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/accounts/{world.AliceAccount}/statement", token: world.Admin.Token);
    }

    [DbFact]
    public async Task Statements_render_as_paged_pdf_and_as_an_xlsx_workbook()
    {
        var world = await TwoCustomers.StartAsync(kind, "1000.00");
        await using var app = world.App;
        var api = world.Api;
        for (var i = 0; i < 99; i++)
        {
            using var _ = await api.PostAsync("/api/v1/transactions/transfer", new
            {
                origin_account_id = world.AliceAccount, destination_account_id = world.BobAccount, amount = "1.25", description = $"Pago (renta) #{i} señal",
            }, world.Alice.Token);
        }
        var clabe = (await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/accounts/{world.AliceAccount}", token: world.Alice.Token))
            .GetProperty("clabe").GetString()!;

        using var pdf = await api.GetAsync($"/api/v1/accounts/{world.AliceAccount}/statement?format=pdf", world.Alice.Token);
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);
        var bytes = await pdf.Content.ReadAsByteArrayAsync();
        await File.WriteAllBytesAsync(Path.Combine(Path.GetTempPath(), $"finsoft-statement-{kind}.pdf"), bytes); // to look at: pdftoppm -png
        using (var document = UglyToad.PdfPig.PdfDocument.Open(bytes))
        {
            Assert.Equal(3, document.NumberOfPages); // 100 movements, 45 a page
            var pages = document.GetPages().Select(p => p.Text).ToList();
            Assert.All(pages, text => Assert.Contains($"CLABE: {clabe}", text, StringComparison.Ordinal)); // who and which account on every page
            Assert.All(pages, text => Assert.Contains("Holder: Test User", text, StringComparison.Ordinal));
            Assert.Contains("Closing balance: 876.25 MXN", pages[0], StringComparison.Ordinal);
            Assert.Contains("Pago (renta) #98 se\u00f1al", pages[2], StringComparison.Ordinal);
            Assert.Contains("page 3 of 3", pages[2], StringComparison.Ordinal);
        }

        using var xlsx = await api.GetAsync($"/api/v1/accounts/{world.AliceAccount}/statement?format=xlsx", world.Alice.Token);
        Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", xlsx.Content.Headers.ContentType?.MediaType);
        using var zip = new System.IO.Compression.ZipArchive(new MemoryStream(await xlsx.Content.ReadAsByteArrayAsync()));
        Assert.NotNull(zip.GetEntry("[Content_Types].xml"));
        using var reader = new StreamReader(zip.GetEntry("xl/worksheets/sheet1.xml")!.Open());
        var sheet = System.Xml.Linq.XDocument.Parse(await reader.ReadToEndAsync());
        System.Xml.Linq.XNamespace main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
        var rows = sheet.Descendants(main + "row").ToList();
        Assert.Equal(10 + 100 + 2, rows.Count); // title, facts, a gap and the header; the movements; a gap and their count
        Assert.Equal("876.25", rows[7].Elements(main + "c").ElementAt(1).Value);
        Assert.Equal(["-1.25", "876.25"], rows[^3].Elements(main + "c").Skip(5).Select(c => c.Value));
        Assert.Equal("Pago (renta) #98 se\u00f1al", rows[^3].Elements(main + "c").ElementAt(4).Value);
    }

    [DbFact]
    public async Task A_statement_prints_its_holder_in_any_script_with_the_fonts_embedded()
    {
        await using var app = await TestApp.StartAsync(kind);
        var api = app.Api();
        var admin = await api.AdminAsync();
        foreach (var (script, name) in new[]
        {
            ("latin", "Łukasz Żółć"), ("cjk", "王小明"), ("greek", "Γιώργος Παπαδόπουλος"), ("cyrillic", "Дмитрий Иванов"), ("arabic", "محمد عبد الله"),
        })
        {
            var holder = await api.RegisterAsync(fullName: name);
            var wallet = await api.CreateAccountAsync(holder.Token);
            await api.DepositAsync(admin.Token, wallet, "10.00");
            // A control character anyone can type into a description neither breaks a file nor reaches it.
            await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/transactions/deposit",
                new { account_id = wallet, amount = "1.00", description = "line\u000bfeed" }, admin.Token, Guid.NewGuid().ToString());
            using var pdf = await api.GetAsync($"/api/v1/accounts/{wallet}/statement?format=pdf", holder.Token);
            Assert.Equal(HttpStatusCode.OK, pdf.StatusCode);
            var bytes = await pdf.Content.ReadAsByteArrayAsync();
            await File.WriteAllBytesAsync(Path.Combine(Path.GetTempPath(), $"finsoft-statement-{script}-{kind}.pdf"), bytes); // pdftoppm -png to look
            using var document = UglyToad.PdfPig.PdfDocument.Open(bytes);
            var page = document.GetPage(1);
            // Arabic is drawn in its joined forms, right to left: the text a reader extracts is what was laid out.
            var drawn = script == "arabic" ? string.Concat(Finsoft.Api.Infrastructure.Documents.DocumentText.Layout(name).Select(r => r.Text)) : name;
            Assert.Contains($"Holder: {drawn}", page.Text, StringComparison.Ordinal);
            var fonts = page.Letters.Where(l => name.Contains(l.Value, StringComparison.Ordinal) || drawn.Contains(l.Value, StringComparison.Ordinal))
                .Select(l => l.FontName).Distinct().ToList();
            Assert.Contains(fonts, f => f != null && f.Contains(script == "cjk" ? "Droid Sans Fallback" : "DejaVu Sans", StringComparison.Ordinal));

            using var xlsx = await api.GetAsync($"/api/v1/accounts/{wallet}/statement?format=xlsx", holder.Token);
            Assert.Equal(HttpStatusCode.OK, xlsx.StatusCode);
            using var zip = new System.IO.Compression.ZipArchive(new MemoryStream(await xlsx.Content.ReadAsByteArrayAsync()));
            using var reader = new StreamReader(zip.GetEntry("xl/worksheets/sheet1.xml")!.Open());
            var sheet = await reader.ReadToEndAsync();
            Assert.Contains(name, sheet, StringComparison.Ordinal);
            Assert.Contains("line\uFFFDfeed", sheet, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Arabic_letters_take_their_joined_forms_and_lam_alef_its_ligature()
    {
        // meem (initial), hah (medial), meem (medial), dal (final: it joins only to the letter before it)
        Assert.Equal("\uFEE3\uFEA4\uFEE4\uFEAA", Finsoft.Api.Infrastructure.Documents.ArabicShaping.Shape("محمد"));
        // seen (initial), lam + alef as one final ligature, meem (isolated: alef does not join forward)
        Assert.Equal("\uFEB3\uFEFC\uFEE1", Finsoft.Api.Infrastructure.Documents.ArabicShaping.Shape("سلام"));
        Assert.Equal("Ana", Finsoft.Api.Infrastructure.Documents.ArabicShaping.Shape("Ana"));
        // sheen (initial), yeh (final: hamza joins nothing), hamza
        Assert.Equal("\uFEB7\uFEF2\uFE80", Finsoft.Api.Infrastructure.Documents.ArabicShaping.Shape("شيء"));
        // Arabic-Indic digits keep their own left-to-right order inside right-to-left text.
        Assert.Contains("٢٠٢٥", string.Concat(Finsoft.Api.Infrastructure.Documents.DocumentText.Layout("دفعة ٢٠٢٥").Select(r => r.Text)), StringComparison.Ordinal);
        // Laid out right to left, and a Latin word inside keeps its own order.
        var runs = Finsoft.Api.Infrastructure.Documents.DocumentText.Layout("سلام Ana");
        Assert.Equal("Ana \uFEE1\uFEFC\uFEB3", string.Concat(runs.Select(r => r.Text)));
    }

    [DbFact]
    public async Task Ledger_analytics_count_and_sum_by_day_type_status_and_account()
    {
        var world = await TwoCustomers.StartAsync(kind, "100.00");
        await using var app = world.App;
        var api = world.Api;
        for (var i = 0; i < 3; i++)
        {
            await api.TransferAsync(world.Alice.Token, world.AliceAccount, world.BobAccount, "10.00");
        }
        await api.TransferAsync(world.Alice.Token, world.AliceAccount, world.BobAccount, "1000.00"); // refused: not in the ledger
        var analyst = await api.CreateUserAsync(world.Admin.Token, "analyst");
        var report = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/ledger/analytics?currency=MXN", token: analyst.Token);
        var byType = report.GetProperty("by_type").EnumerateArray().ToDictionary(b => b.GetProperty("key").GetString()!, b => b);
        Assert.Equal(3, byType["TRANSFER"].GetProperty("count").GetInt64());
        Assert.Equal("30.00", byType["TRANSFER"].GetProperty("volume").GetString());
        Assert.Equal("100.00", byType["DEPOSIT"].GetProperty("volume").GetString());
        var today = Assert.Single(report.GetProperty("by_day").EnumerateArray());
        Assert.Equal(DateTime.UtcNow.ToString("yyyy-MM-dd"), today.GetProperty("key").GetString());
        Assert.Equal("130.00", today.GetProperty("volume").GetString());
        var top = report.GetProperty("top_accounts")[0];
        Assert.Equal((world.AliceAccount, "130.00"), (top.GetProperty("account_id").GetGuid(), top.GetProperty("volume").GetString()));
        await ApiClient.AssertProblemAsync(await api.GetAsync("/api/v1/ledger/analytics?from=2020-01-01&to=2026-01-01", analyst.Token), HttpStatusCode.UnprocessableEntity);
    }

    [DbFact]
    public async Task The_biggest_account_per_currency_among_those_the_caller_may_see()
    {
        var world = await TwoCustomers.StartAsync(kind, "100.00");
        await using var app = world.App;
        var api = world.Api;
        var aliceUsd = await api.CreateAccountAsync(world.Alice.Token, "USD");
        var aliceSmall = await api.CreateAccountAsync(world.Alice.Token);
        await api.DepositAsync(world.Admin.Token, aliceUsd, "5.00");
        await api.DepositAsync(world.Admin.Token, aliceSmall, "1.00");
        await api.DepositAsync(world.Admin.Token, world.BobAccount, "500.00");

        var mine = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/accounts/biggest", token: world.Alice.Token);
        Assert.Equal([(world.AliceAccount, "MXN"), (aliceUsd, "USD")],
            mine.EnumerateArray().Select(a => (a.GetProperty("id").GetGuid(), a.GetProperty("currency").GetString())));
        var everyone = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/accounts/biggest", token: world.Admin.Token);
        Assert.Equal(world.BobAccount, everyone.EnumerateArray().Single(a => a.GetProperty("currency").GetString() == "MXN").GetProperty("id").GetGuid());
    }
}

public sealed class ReportsTestsOnSqlite() : ReportsTests(DatabaseKind.Sqlite);

public sealed class ReportsTestsOnPostgres() : ReportsTests(DatabaseKind.Postgres), IPostgresTests;
