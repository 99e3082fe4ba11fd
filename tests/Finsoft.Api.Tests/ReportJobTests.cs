using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Finsoft.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Tests;

/// <summary>Report jobs end to end in each format, exports, and schedules that run each occurrence once across nodes.</summary>
public abstract class ReportJobTests(DatabaseKind kind)
{
    private static readonly Dictionary<string, string?> FastWorkers = new() { ["Finsoft:Reports:PollMilliseconds"] = "100" };

    [DbFact]
    public async Task A_report_job_renders_csv_xlsx_and_pdf_that_read_back_to_what_the_api_answers()
    {
        await using var app = await TestApp.StartAsync(kind, FastWorkers);
        var api = app.Api();
        var admin = await api.AdminAsync();
        var analyst = await api.CreateUserAsync(admin.Token, "analyst");
        var customer = await api.RegisterAsync();
        var wallet = await api.CreateAccountAsync(customer.Token);
        await api.DepositAsync(admin.Token, wallet, "1250.00");
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Put, $"/api/v1/accounts/{wallet}", new { balance = "1000.75" }, admin.Token, Guid.NewGuid().ToString());
        var trial = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/reports/trial-balance", token: analyst.Token);
        var lines = trial.GetProperty("accounts").EnumerateArray().ToDictionary(l => l.GetProperty("account").GetString()!, l => l.GetProperty("balance").GetString()!);
        Assert.Equal("249.25", lines["adjustments"]); // what the adjustment took is the platform's gain

        var csv = Encoding.UTF8.GetString(await RunAsync(api, analyst.Token, "trial_balance", "csv"));
        var rows = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("# Trial balance", rows[0]);
        Assert.Contains("Account,Class,Debits,Credits,Balance", rows);
        foreach (var (account, balance) in lines)
        {
            Assert.Contains(rows, r => r.StartsWith(account + ",", StringComparison.Ordinal) && r.EndsWith("," + balance, StringComparison.Ordinal));
        }
        Assert.Contains($"# Total debits,{trial.GetProperty("total_debits").GetString()},MXN", rows);

        using (var xlsx = SpreadsheetDocument.Open(new MemoryStream(await RunAsync(api, analyst.Token, "trial_balance", "xlsx")), false))
        {
            var sheet = xlsx.WorkbookPart!.WorksheetParts.Single().Worksheet.GetFirstChild<SheetData>()!;
            var cells = sheet.Elements<Row>().Select(r => r.Elements<Cell>().Select(c => c.InnerText).ToList()).ToList();
            Assert.Equal(["adjustments", "income", "0.00", "249.25", "249.25"], cells.Single(r => r.FirstOrDefault() == "adjustments"));
            var amount = sheet.Elements<Row>().Single(r => r.Elements<Cell>().FirstOrDefault()?.InnerText == "adjustments").Elements<Cell>().Last();
            Assert.Equal(CellValues.Number, amount.DataType!.Value); // a number a spreadsheet can add up
        }

        using (var pdf = UglyToad.PdfPig.PdfDocument.Open(await RunAsync(api, analyst.Token, "income_statement", "pdf", new { from = "2020-01-01T00:00:00Z" })))
        {
            var text = pdf.GetPage(1).Text;
            Assert.Contains("Income statement", text, StringComparison.Ordinal);
            Assert.Contains("Net income: 249.25 MXN", text, StringComparison.Ordinal);
        }

        // The job's end is an event, so a webhook can deliver it; its data links to the file.
        var events = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/events?limit=1000&type=report.completed", token: admin.Token);
        Assert.Equal(3, events.GetArrayLength());
        Assert.All(events.EnumerateArray(), e => Assert.StartsWith("/api/v1/analytics/reports/", e.GetProperty("data").GetProperty("download_url").GetString(),
            StringComparison.Ordinal));
        await api.ExpectAsync(HttpStatusCode.Forbidden, HttpMethod.Post, "/api/v1/analytics/reports", new { type = "trial_balance", format = "csv" }, customer.Token);
    }

    [DbFact]
    public async Task An_export_answers_the_file_at_once_and_a_job_that_cannot_be_made_fails_with_why()
    {
        await using var app = await TestApp.StartAsync(kind, FastWorkers);
        var api = app.Api();
        var admin = await api.AdminAsync();
        using var export = await api.GetAsync("/api/v1/analytics/export/csv?type=balance_sheet&currency=MXN", admin.Token);
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Equal("text/csv", export.Content.Headers.ContentType?.MediaType);
        Assert.Contains("# Balance sheet", await export.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var job = await api.ExpectAsync(HttpStatusCode.Accepted, HttpMethod.Post, "/api/v1/analytics/reports",
            new { type = "account_statement", format = "pdf", parameters = new { account_id = Guid.NewGuid() } }, admin.Token);
        var failed = await WaitAsync(api, admin.Token, job.GetProperty("id").GetGuid());
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        Assert.Contains("was not found", failed.GetProperty("failure_reason").GetString(), StringComparison.Ordinal);
        await api.RefusedAsync(HttpStatusCode.Conflict, "report_not_ready", HttpMethod.Get, $"/api/v1/analytics/reports/{job.GetProperty("id").GetGuid()}/download",
            token: admin.Token);

        // The month's statements of every customer wallet, one PDF each.
        var (ana, bo) = (await api.RegisterAsync(fullName: "Ana Żółć"), await api.RegisterAsync(fullName: "王小明"));
        var wallets = new[] { await api.CreateAccountAsync(ana.Token), await api.CreateAccountAsync(ana.Token, "USD"), await api.CreateAccountAsync(bo.Token) };
        await api.DepositAsync(admin.Token, wallets[0], "10.00");
        var month = DateTime.UtcNow.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        var zipped = await RunAsync(api, admin.Token, "customer_statements", "pdf", new { month });
        using var zip = new System.IO.Compression.ZipArchive(new MemoryStream(zipped));
        Assert.Equal(3, zip.Entries.Count);
        Assert.All(zip.Entries, e => Assert.EndsWith($"-{month}.pdf", e.Name, StringComparison.Ordinal));
        var texts = zip.Entries.Select(e =>
        {
            using var copy = new MemoryStream();
            using (var entry = e.Open())
            {
                entry.CopyTo(copy);
            }
            using var pdf = UglyToad.PdfPig.PdfDocument.Open(copy.ToArray());
            return pdf.GetPage(1).Text;
        }).ToList();
        Assert.Equal(2, texts.Count(t => t.Contains("Holder: Ana Żółć", StringComparison.Ordinal)));
        Assert.Single(texts, t => t.Contains("Holder: 王小明", StringComparison.Ordinal));
        Assert.Single(texts, t => t.Contains("Closing balance: 10.00 MXN", StringComparison.Ordinal));
    }

    [DbFact]
    public async Task Bad_report_requests_and_schedules_are_refused_and_store_nothing()
    {
        await using var app = await TestApp.StartAsync(kind, FastWorkers);
        var api = app.Api();
        var admin = await api.AdminAsync();
        object[] reports =
        [
            new { type = "everything", format = "csv" }, new { type = "trial_balance", format = "docx" },
            new { type = "trial_balance", format = "csv", parameters = "as_of=now" }, new { type = "revenue", format = "csv", parameters = new { period = "last_decade" } },
            new { type = "revenue", format = "csv", parameters = new { from = "2027-01-02T00:00:00Z", to = "2027-01-01T00:00:00Z" } },
            new { type = "account_statement", format = "pdf" }, new { type = "revenue", format = "csv", parameters = new { currency = "XXQ" } },
            new { type = "revenue", format = "csv", parameters = new { from = "soon" } },
            new { type = "revenue", format = "csv", parameters = new { period = "previous_month", time_zone = "Mars/Olympus" } },
        ];
        foreach (var body in reports)
        {
            await api.ExpectAsync(HttpStatusCode.UnprocessableEntity, HttpMethod.Post, "/api/v1/analytics/reports", body, admin.Token);
        }
        object[] schedules =
        [
            new { report = "trial_balance", format = "csv", cron = "every day" }, new { report = "trial_balance", format = "csv", cron = "61 * * * *" },
            new { report = "trial_balance", format = "csv" }, new { report = "trial_balance", format = "csv", cron = "0 6 1 * *", time_zone = "Mars/Olympus" },
            new { report = "nothing", format = "csv", cron = "0 6 1 * *" },
        ];
        foreach (var body in schedules)
        {
            await api.ExpectAsync(HttpStatusCode.UnprocessableEntity, HttpMethod.Post, "/api/v1/analytics/schedules", body, admin.Token);
        }
        Assert.Equal((0, 0), await app.WithDbAsync(async db => (await db.ReportJobs.CountAsync(), await db.ReportSchedules.CountAsync())));
    }

    [DbFact]
    public async Task A_schedule_runs_each_occurrence_once_with_two_nodes_claiming_it()
    {
        await using var nodeA = await TestApp.StartAsync(kind, FastWorkers);
        await using var nodeB = nodeA.Sibling();
        var api = nodeA.Api();
        var admin = await api.AdminAsync();
        var monthly = await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/analytics/schedules",
            new { report = "customer_statements", format = "pdf", cron = "0 6 1 * *", time_zone = "America/Mexico_City" }, admin.Token);
        Assert.Equal(12, monthly.GetProperty("next_run_at").GetDateTime().ToUniversalTime().Hour); // 06:00 in Mexico City is 12:00 UTC
        var schedule = await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/analytics/schedules",
            new { report = "trial_balance", format = "csv", cron = "* * * * * *" }, admin.Token); // every second
        var id = schedule.GetProperty("id").GetGuid();
        await Task.Delay(TimeSpan.FromSeconds(4));
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Delete, $"/api/v1/analytics/schedules/{id}", token: admin.Token);
        var jobs = await nodeA.WithDbAsync(db => db.ReportJobs.AsNoTracking().Where(j => j.ScheduleId == id).ToListAsync());
        Assert.True(jobs.Count >= 3, $"only {jobs.Count} occurrences ran");
        Assert.Equal(jobs.Count, jobs.Select(j => j.Occurrence).Distinct().Count()); // each occurrence once
        foreach (var job in jobs)
        {
            Assert.Equal("completed", (await WaitAsync(api, admin.Token, job.Id)).GetProperty("status").GetString());
        }
        var events = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/events?limit=1000&type=report.completed", token: admin.Token);
        Assert.Equal(jobs.Count, events.EnumerateArray().Count(e => e.GetProperty("data").GetProperty("schedule_id").GetString() == id.ToString()));
    }

    private static async Task<byte[]> RunAsync(ApiClient api, string token, string type, string format, object? parameters = null)
    {
        var job = await api.ExpectAsync(HttpStatusCode.Accepted, HttpMethod.Post, "/api/v1/analytics/reports", new { type, format, parameters }, token);
        Assert.Equal("queued", job.GetProperty("status").GetString());
        var done = await WaitAsync(api, token, job.GetProperty("id").GetGuid());
        Assert.Equal("completed", done.GetProperty("status").GetString());
        using var file = await api.GetAsync(done.GetProperty("download_url").GetString()!, token);
        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        return await file.Content.ReadAsByteArrayAsync();
    }

    private static async Task<JsonElement> WaitAsync(ApiClient api, string token, Guid id)
    {
        for (var i = 0; i < 300; i++)
        {
            var job = await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/analytics/reports/{id}", token: token);
            if (job.GetProperty("status").GetString() is "completed" or "failed")
            {
                return job;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"Report job {id} did not finish.");
    }
}

public sealed class ReportJobTestsOnSqlite() : ReportJobTests(DatabaseKind.Sqlite);

public sealed class ReportJobTestsOnPostgres() : ReportJobTests(DatabaseKind.Postgres), IPostgresTests;

/// <summary>Relative periods resolve on the days of the zone they are asked in.</summary>
public sealed class ReportParametersTests
{
    [Fact]
    public void A_previous_month_is_the_month_before_in_the_schedules_own_zone()
    {
        var asked = Finsoft.Api.Features.ReportJobs.ReportParameters.None with { Period = "previous_month", TimeZone = "Asia/Tokyo" };
        // 21:00 UTC on 31 March is already 1 April in Tokyo: the month before is March, Tokyo's March.
        var resolved = asked.Resolve(new DateTime(2026, 3, 31, 21, 0, 0, DateTimeKind.Utc));
        Assert.Equal("2026-03", resolved.Month);
        Assert.Equal(new DateTime(2026, 2, 28, 15, 0, 0, DateTimeKind.Utc), resolved.From);
        Assert.Equal(new DateTime(2026, 3, 31, 15, 0, 0, DateTimeKind.Utc).AddTicks(-10), resolved.To);
        // In UTC the same moment is still March, so the month before is February.
        Assert.Equal("2026-02", (asked with { TimeZone = null }).Resolve(new DateTime(2026, 3, 31, 21, 0, 0, DateTimeKind.Utc)).Month);
    }
}
