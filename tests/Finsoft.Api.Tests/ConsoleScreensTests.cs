using System.Net;
using System.Text.Json;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Finsoft.Api.Tests;

/// <summary>
/// The console's screens for every capability (compliance, credit, payments and webhooks, privacy, the books, user
/// administration), with the service holding something to show on each, and what staff do on them, in Chromium over HTTP.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ConsoleScreensTests
{
    /// <summary>A service with a watch-list match in review, a loan, a webhook endpoint, a data request and an exchange rate.</summary>
    private sealed record World(TestApp App, ApiClient Api, WebhookReceiver Receiver, ApiClient.Session Admin, ApiClient.Session Analyst,
        ApiClient.Session Dana, ApiClient.Session Listed, Guid Wallet, Guid Loan, Guid Disbursement, Guid Review, Guid Hook, Guid DataRequest) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Receiver.DisposeAsync();
            await App.DisposeAsync();
        }
    }

    private static async Task<World> StartAsync()
    {
        var app = await TestApp.StartAsync(DatabaseKind.Sqlite, new Dictionary<string, string?> { ["Finsoft:Webhooks:AllowPrivateTargets"] = "true" },
            overKestrel: true);
        var api = app.Api();
        var admin = await api.AdminAsync();
        var analyst = await api.CreateUserAsync(admin.Token, Roles.Analyst);
        await ScreeningTests.LoadAsync(api, admin.Token, "ofac", "ofac-sdn-csv", ScreeningTests.SdnCsv);
        var listed = await api.RegisterAsync("rustam.console@example.test", fullName: "Rustam Karimov"); // screened at sign-up: a match to review
        var review = (await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/reviews?status=open", token: analyst.Token))
            .EnumerateArray().Single(r => r.GetProperty("user_id").GetGuid() == listed.UserId).GetProperty("id").GetGuid();

        var dana = await api.RegisterAsync("dana.console@example.test", fullName: "Dana Credito");
        var wallet = await api.CreateAccountAsync(dana.Token);
        await api.DepositAsync(admin.Token, wallet, "5000.00");
        await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/credit/products", new
        {
            name = "Personal loan", currency = "MXN", min_amount = "1000.00", max_amount = "100000.00", min_term_months = 3, max_term_months = 24,
            apr_by_grade = new Dictionary<string, string> { ["A"] = "0.12", ["B"] = "0.18" }, origination_fee = "100.00",
            amortization = "equal_installments", grace_days = 5, late_fee = "150.00",
        }, admin.Token);
        var score = (await CreditScoreTests.ScoreAsync(api, dana.Token, CreditScoreTests.Application(requested: "12000.00", term: 12))).GetProperty("id").GetGuid();
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/v1/credit/scores/{score}/review",
            new { decision = "override", grade = "A", note = "Known customer." }, analyst.Token);
        var offer = (await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/credit/offers", new { score_id = score }, dana.Token))[0];
        var loan = await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, $"/api/v1/credit/offers/{offer.GetProperty("id").GetGuid()}/accept",
            new { account_id = wallet }, dana.Token, Guid.NewGuid().ToString());

        var receiver = await WebhookReceiver.StartAsync();
        var hook = (await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/webhooks/endpoints",
            new { url = receiver.Url.ToString(), events = new[] { "*" }, description = "Dana's shop" }, dana.Token)).GetProperty("id").GetGuid();
        var dataRequest = (await api.ExpectAsync(HttpStatusCode.Accepted, HttpMethod.Post, "/api/v1/gdpr/data-requests",
            new { type = "rectification", details = "My company is Credito SA." }, dana.Token)).GetProperty("id").GetGuid();
        await api.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, "/api/v1/fx/rates", new { @base = "USD", quote = "MXN", rate = "17.25" }, admin.Token);
        return new World(app, api, receiver, admin, analyst, dana, listed, wallet, loan.GetProperty("id").GetGuid(), loan.GetProperty("disbursement_id").GetGuid(),
            review, hook, dataRequest);
    }

    [Fact]
    public async Task Every_capabilitys_screen_loads_clean_at_desktop_and_phone_width_and_roles_see_only_theirs()
    {
        await using var w = await StartAsync();
        await using var browser = await ConsoleBrowser.StartAsync();
        var screens = new (string Path, string Name)[]
        {
            ("/console/accounts", "accounts-all"), ($"/console/accounts/{w.Wallet}", "account-with-loan"), ($"/console/users/{w.Dana.UserId}", "user"),
            ("/console/reviews", "reviews"), ($"/console/reviews/{w.Review}", "review"), ("/console/watchlists", "watchlists"),
            ("/console/credit", "credit"), ($"/console/loans/{w.Loan}", "loan"), ("/console/payments", "payments"), ($"/console/webhooks/{w.Hook}", "webhook"),
            ("/console/privacy", "privacy"), ("/console/ledger?currency=MXN", "ledger-reports"), ($"/console/transactions/{w.Disbursement}", "transaction-loan"),
        };
        foreach (var (width, height, size) in new[] { (1280, 800, "desktop"), (390, 844, "phone") })
        {
            var tab = await browser.OpenAsync(w.App, width, height);
            await ConsoleBrowser.SignInAsync(tab.Page, TestApp.AdminEmail, TestApp.AdminPassword);
            foreach (var (path, name) in screens)
            {
                var response = await tab.Page.GotoAsync(path);
                Assert.True(response!.Status == 200, $"{path}: {response.Status}");
                await ConsoleBrowser.ScreenshotAsync(tab.Page, $"{name}-{size}");
                Assert.Empty(await ConsoleBrowser.AccessibilityProblemsAsync(tab.Page));
                await ConsoleBrowser.AssertNoTemplateTextAsync(tab.Page);
            }
            Assert.Empty(tab.Errors);
            await tab.Context.DisposeAsync();
        }

        // What each screen shows comes from the API's handlers.
        var page = (await browser.OpenAsync(w.App)).Page;
        await ConsoleBrowser.SignInAsync(page, w.Analyst.Email, w.Analyst.Password);
        await page.GotoAsync("/console/reviews");
        await Assertions.Expect(page.GetByRole(AriaRole.Region, new() { Name = "Reviews" })).ToContainTextAsync("KARIMOV");
        await page.GotoAsync($"/console/loans/{w.Loan}");
        await Assertions.Expect(page.GetByRole(AriaRole.Region, new() { Name = "Schedule" }).Locator("tbody tr")).ToHaveCountAsync(12);
        await page.GotoAsync("/console/ledger?currency=MXN");
        await Assertions.Expect(page.GetByRole(AriaRole.Region, new() { Name = "Trial balance" })).ToContainTextAsync("balanced");
        await Assertions.Expect(page.GetByRole(AriaRole.Region, new() { Name = "Balance sheet" })).ToContainTextAsync("assets = liabilities + equity");
        await Assertions.Expect(page.GetByRole(AriaRole.Region, new() { Name = "Exchange rates recorded" })).ToContainTextAsync("USD/MXN");
        await Assertions.Expect(page.Locator("#base")).ToHaveCountAsync(0); // recording rates is the admins'
        // The analyst verifies the ledger.
        await page.ClickAsync("text=Verify the ledger");
        await Assertions.Expect(page.Locator("main h2").First).ToHaveTextAsync("The ledger verifies");
        Assert.Equal(403, (await page.GotoAsync("/console/privacy"))!.Status);

        // A viewer sees payments and lists, not the review queue, credit, privacy or a webhook's deliveries.
        var viewer = await w.Api.CreateUserAsync(w.Admin.Token, Roles.Viewer);
        var viewers = await browser.OpenAsync(w.App);
        await ConsoleBrowser.SignInAsync(viewers.Page, viewer.Email, viewer.Password);
        Assert.Equal(200, (await viewers.Page.GotoAsync("/console/payments"))!.Status);
        await Assertions.Expect(viewers.Page.Locator("main")).Not.ToContainTextAsync("Webhook endpoints");
        foreach (var path in new[] { "/console/reviews", $"/console/reviews/{w.Review}", "/console/credit", "/console/privacy", $"/console/webhooks/{w.Hook}", $"/console/users/{w.Dana.UserId}" })
        {
            Assert.True((await viewers.Page.GotoAsync(path))!.Status == 403, path);
        }
        Assert.Empty(viewers.Errors);
    }

    [Fact]
    public async Task Staff_unlock_grant_adjust_record_a_rate_decide_a_review_load_a_list_answer_a_request_and_add_a_product()
    {
        await using var w = await StartAsync();
        await using var browser = await ConsoleBrowser.StartAsync();
        var tab = await browser.OpenAsync(w.App);
        var page = tab.Page;
        await ConsoleBrowser.SignInAsync(page, TestApp.AdminEmail, TestApp.AdminPassword);

        // Locked out by failed sign-ins, unlocked by an admin: the right password works again at once.
        for (var i = 0; i < 5; i++)
        {
            using var failed = await w.Api.LoginRawAsync(w.Dana.Email, "not-the-password-1");
        }
        await page.GotoAsync($"/console/users/{w.Dana.UserId}");
        await Assertions.Expect(page.GetByRole(AriaRole.Region, new() { Name = "The person" })).ToContainTextAsync("locked");
        await page.ClickAsync("text=Unlock sign-in");
        await Assertions.Expect(page.Locator("[role=status]")).ToContainTextAsync("Unlocked");
        Assert.DoesNotContain("handler=", page.Url, StringComparison.Ordinal); // answered by a redirect to the page
        await w.Api.LoginAsync(w.Dana.Email, w.Dana.Password);

        // A joint holder added by the wallet's CLABE, then taken back; the profile saved through the API's rules.
        var clabe = (await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/accounts/{w.Wallet}", token: w.Dana.Token)).GetProperty("clabe").GetString()!;
        await page.GotoAsync($"/console/users/{w.Listed.UserId}");
        await page.FillAsync("#wallet", clabe);
        await page.ClickAsync("text=Add as joint holder");
        await Assertions.Expect(page.GetByRole(AriaRole.Region, new() { Name = "Wallets held" })).ToContainTextAsync("joint holder");
        Assert.Equal(1, await w.App.WithDbAsync(db => db.AccountGrants.CountAsync(g => g.UserId == w.Listed.UserId && g.AccountId == w.Wallet)));
        await page.ClickAsync($"button[aria-label='Take back {clabe}']");
        await Assertions.Expect(page.Locator("[role=status]")).ToContainTextAsync("no longer hold");
        Assert.Equal(0, await w.App.WithDbAsync(db => db.AccountGrants.CountAsync(g => g.UserId == w.Listed.UserId)));
        await page.GotoAsync($"/console/users/{w.Dana.UserId}");
        await page.FillAsync("#company", "Credito SA");
        await page.FillAsync("#phone", "not a phone");
        await page.ClickAsync("text=Save profile");
        await Assertions.Expect(page.Locator("[role=alert]")).ToContainTextAsync("phone"); // refused, and nothing saved
        await page.FillAsync("#phone", "");
        await page.ClickAsync("text=Save profile");
        await Assertions.Expect(page.Locator("[role=status]")).ToContainTextAsync("Profile saved");
        var profile = await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/admin/users/{w.Dana.UserId}/profile", token: w.Admin.Token);
        Assert.Equal("Credito SA", profile.GetProperty("company").GetString());

        // The role changes, and a deactivated analyst is signed out of the API at once.
        await page.GotoAsync($"/console/users/{w.Analyst.UserId}");
        await page.SelectOptionAsync("#role", "viewer");
        await page.ClickAsync("text=Change role");
        await Assertions.Expect(page.Locator("[role=status]")).ToContainTextAsync("now viewer");
        await page.ClickAsync("button:text('Deactivate')");
        await Assertions.Expect(page.Locator("[role=status]")).ToContainTextAsync("Deactivated");
        Assert.Equal(HttpStatusCode.Unauthorized, (await w.Api.GetAsync("/api/v1/auth/me", w.Analyst.Token)).StatusCode);

        // An adjustment sets the balance through the engine, once however often its form is sent.
        await page.GotoAsync($"/console/accounts/{w.Wallet}");
        var balance = (await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/accounts/{w.Wallet}", token: w.Dana.Token)).GetProperty("balance").GetString();
        var form = page.Locator("form:has(#balance)");
        var (key, csrf) = (await form.Locator("input[name=key]").GetAttributeAsync("value"), await form.Locator("input[name=__csrf]").GetAttributeAsync("value"));
        // Unconfirmed (posted around the browser's check), nothing moves.
        var unconfirmed = await tab.Context.APIRequest.PostAsync($"/console/accounts/{w.Wallet}?handler=adjust", new()
        {
            Form = tab.Context.APIRequest.CreateFormData().Append("__csrf", csrf!).Append("key", key!).Append("balance", "1.00").Append("description", "x"),
        });
        Assert.Equal(422, unconfirmed.Status);
        Assert.Contains("Tick the confirmation", await unconfirmed.TextAsync(), StringComparison.Ordinal);
        Assert.Equal(balance, await w.Api.BalanceAsync(w.Dana.Token, w.Wallet));
        await page.FillAsync("#balance", "20000.00");
        await page.FillAsync("#adjust-description", "Correction agreed with the customer");
        await page.CheckAsync("#adjust-confirm");
        await page.ClickAsync("form:has(#balance) button[type=submit]");
        await Assertions.Expect(page.Locator("[role=status]")).ToContainTextAsync("The balance is now 20000.00");
        var again = await tab.Context.APIRequest.PostAsync($"/console/accounts/{w.Wallet}?handler=adjust", new()
        {
            Form = tab.Context.APIRequest.CreateFormData().Append("__csrf", csrf!).Append("key", key!).Append("balance", "20000.00")
                .Append("description", "Correction agreed with the customer").Append("confirm", "true"),
        });
        Assert.Equal(200, again.Status);
        Assert.NotEqual("20000.00", balance);
        Assert.Equal("20000.00", await w.Api.BalanceAsync(w.Dana.Token, w.Wallet));
        Assert.Equal(1, await w.App.WithDbAsync(db => db.Transactions.CountAsync(t => t.Type == "ADJUSTMENT")));

        // A verification job started here records a checkpoint; the overview then says how far the ledger is proven.
        await page.GotoAsync("/console/ledger");
        await page.SelectOptionAsync("#kind", "full");
        await page.ClickAsync("form:has(#kind) button[type=submit]");
        await Assertions.Expect(page.Locator("[role=status]")).ToContainTextAsync("full verification");
        var job = (await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/ledger/verifications", token: w.Admin.Token))[0].GetProperty("id").GetGuid();
        var status = "";
        for (var wait = 0; wait < 600 && status != "completed"; wait++)
        {
            await Task.Delay(100);
            status = (await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/ledger/verifications/{job}", token: w.Admin.Token)).GetProperty("status").GetString()!;
        }
        Assert.Equal("completed", status);
        await page.GotoAsync("/console");
        await Assertions.Expect(page.GetByRole(AriaRole.Region, new() { Name = "At a glance" }))
            .ToContainTextAsync(new System.Text.RegularExpressions.Regex(@"(^|\s)0\s+entries since the ledger was proven"));

        // A rate recorded in the console is the one in force.
        await page.GotoAsync("/console/ledger");
        await page.FillAsync("#base", "eur");
        await page.FillAsync("#rate", "19.80");
        await page.FillAsync("#quote", "MXN");
        await page.ClickAsync("text=Record the rate");
        await Assertions.Expect(page.Locator("[role=status]")).ToContainTextAsync("1 EUR = 19.80 MXN");
        var rate = await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/fx/rates?base=EUR&quote=MXN", token: w.Dana.Token);
        Assert.Equal("19.80", rate.GetProperty("rate").GetString());

        // A new list version loaded from a file; a malformed one is refused and stores nothing.
        await page.GotoAsync("/console/watchlists");
        await page.FillAsync("#source", "ofac");
        await page.SetInputFilesAsync("#file", new FilePayload { Name = "sdn.csv", MimeType = "text/csv", Buffer = System.Text.Encoding.UTF8.GetBytes(ScreeningTests.SdnCsv.Split('\n')[0]) });
        await page.ClickAsync("main form button[type=submit]");
        await Assertions.Expect(page.Locator("[role=status]")).ToContainTextAsync("ofac version 2 loaded with 1 entries");
        await page.FillAsync("#source", "ofac");
        await page.SetInputFilesAsync("#file", new FilePayload { Name = "bad.csv", MimeType = "text/csv", Buffer = "9001\n"u8.ToArray() });
        await page.ClickAsync("main form button[type=submit]");
        await Assertions.Expect(page.Locator("[role=alert]")).ToBeVisibleAsync();
        Assert.Equal(2, await w.App.WithDbAsync(db => db.WatchlistVersions.CountAsync(v => v.Source == "ofac")));

        // The rectification, made in the profile above, is marked done.
        await page.GotoAsync("/console/privacy");
        var unticked = await tab.Context.APIRequest.PostAsync($"/console/privacy?handler=process&id={w.DataRequest}", new()
        {
            Form = tab.Context.APIRequest.CreateFormData().Append("__csrf", (await page.Locator("input[name=__csrf]").First.GetAttributeAsync("value"))!),
        });
        Assert.Equal(422, unticked.Status); // not confirmed: nothing done
        Assert.Equal("received", (await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/gdpr/data-requests/{w.DataRequest}", token: w.Dana.Token))
            .GetProperty("status").GetString());
        await page.CheckAsync($"#confirm-{w.DataRequest}");
        await page.ClickAsync("text=Mark corrected");
        await Assertions.Expect(page.Locator("[role=status]")).ToContainTextAsync("Marked done");
        var request = await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/gdpr/data-requests/{w.DataRequest}", token: w.Dana.Token);
        Assert.Equal("completed", request.GetProperty("status").GetString());

        // A product added in the console is offered.
        await page.GotoAsync("/console/credit");
        await page.ClickAsync("details summary");
        await page.FillAsync("#name", "Small business");
        await page.FillAsync("#min-amount", "5000.00");
        await page.FillAsync("#max-amount", "50000.00");
        await page.FillAsync("#min-term", "6");
        await page.FillAsync("#max-term", "36");
        await page.FillAsync("#apr-A", "0.15");
        await page.FillAsync("#apr-B", "0.21");
        await page.ClickAsync("text=Add the product");
        await Assertions.Expect(page.Locator("[role=status]")).ToContainTextAsync("Small business is offered");
        var products = await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, "/api/v1/credit/products", token: w.Dana.Token);
        var added = products.EnumerateArray().Single(p => p.GetProperty("name").GetString() == "Small business");
        Assert.Equal("0.15", added.GetProperty("apr_by_grade").GetProperty("A").GetString());
        Assert.False(added.GetProperty("apr_by_grade").TryGetProperty("C", out _)); // a grade left empty is not offered
        // The browser's only complaints are the two refusals above, each answered 422 with the page saying why.
        Assert.Equal(2, tab.Errors.Count);
        Assert.All(tab.Errors, error => Assert.Contains("status of 422", error, StringComparison.Ordinal));

        // An analyst dismisses the watch-list match with a note; the audit trail has the decision.
        var analyst = await w.Api.CreateUserAsync(w.Admin.Token, Roles.Analyst);
        var analysts = await browser.OpenAsync(w.App);
        await ConsoleBrowser.SignInAsync(analysts.Page, analyst.Email, analyst.Password);
        await analysts.Page.GotoAsync($"/console/reviews/{w.Review}");
        await analysts.Page.CheckAsync("input[value=dismiss]");
        await analysts.Page.FillAsync("#note", "Different person: born 1990 in Monterrey.");
        await analysts.Page.ClickAsync("text=Record the decision");
        await Assertions.Expect(analysts.Page.Locator("[role=status]")).ToContainTextAsync("now dismissed");
        var review = await w.Api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, $"/api/v1/reviews/{w.Review}", token: analyst.Token);
        Assert.Equal(("dismissed", analyst.UserId), (review.GetProperty("status").GetString(), review.GetProperty("decided_by").GetGuid()));
        Assert.Empty(analysts.Errors);
    }
}
