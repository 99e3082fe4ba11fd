using System.Net;
using Finsoft.Api.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Finsoft.Api.Tests;

/// <summary>The console's ledger screen on PostgreSQL once a month of the journal is archived (archiving is PostgreSQL's).</summary>
[Collection(BrowserCollection.Name)]
public sealed class ConsoleLedgerArchiveTests : IPostgresTests
{
    [DbFact]
    public async Task The_ledger_screen_says_a_report_reaching_into_archived_months_cannot_be_told_and_reports_after_them()
    {
        var history = await LedgerArchiveTests.HistoryAsync(overKestrel: true);
        await using var app = history.App;
        var admin = await history.Api.AdminAsync();
        await history.Api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/ledger/archives", new { month = "2026-01" }, admin.Token);
        await using var browser = await ConsoleBrowser.StartAsync();
        var tab = await browser.OpenAsync(app);
        var page = tab.Page;
        await ConsoleBrowser.SignInAsync(page, TestApp.AdminEmail, TestApp.AdminPassword);

        // The page itself, its verification and its rates stand; a report from the first entry is refused in words.
        Assert.Equal(200, (await page.GotoAsync("/console/ledger"))!.Status);
        var whole = await page.GotoAsync("/console/ledger?currency=MXN");
        Assert.Equal(422, whole!.Status);
        await Assertions.Expect(page.Locator("[role=alert]")).ToContainTextAsync("archived");
        await page.FillAsync("#from", "2026-02-02");
        await page.ClickAsync("text=Show the reports");
        await Assertions.Expect(page.GetByRole(AriaRole.Region, new() { Name = "Income statement" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Region, new() { Name = "Trial balance" })).ToContainTextAsync("balanced");
        // A statement since the wallet opened reaches into January too: the service's error handler refuses it (422, why), not a 500.
        var statement = await tab.Context.APIRequest.GetAsync($"/console/accounts/{history.A}?handler=statement&format=csv");
        Assert.Equal(422, statement.Status);
        Assert.Contains("archived", await statement.TextAsync(), StringComparison.Ordinal);
        await page.ClickAsync("text=Verify the ledger");
        await Assertions.Expect(page.Locator("main h2").First).ToHaveTextAsync("The ledger verifies");
        Assert.Single(tab.Errors); // the 422 above, said on the page
    }
}
