using System.Net;
using System.Text.RegularExpressions;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Finsoft.Api.Tests;

/// <summary>
/// The admin console in a real browser (Debian's Chromium through Playwright) against the service over HTTP: sign-in with
/// and without TOTP, every screen without console errors or serious accessibility problems, roles, antiforgery, sign-out.
/// The console is the same on both databases; these run on SQLite.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ConsoleTests
{
    private static readonly Regex SignedIn = new("/console$");

    private static readonly string[] Screens = ["/console", "/console/accounts", "/console/transactions", "/console/users", "/console/ledger", "/console/audit"];

    [Fact]
    public async Task An_admin_signs_in_and_every_screen_loads_clean_at_desktop_and_phone_width_and_shows_the_movements()
    {
        await using var app = await TestApp.StartAsync(DatabaseKind.Sqlite, overKestrel: true);
        var api = app.Api();
        var admin = await api.AdminAsync();
        var ana = await api.RegisterAsync("ana.console@example.test", fullName: "Ana Consola");
        var (from, to) = (await api.CreateAccountAsync(ana.Token), await api.CreateAccountAsync(ana.Token));
        await api.DepositAsync(admin.Token, from, "250.00");
        using (var transfer = await api.TransferAsync(ana.Token, from, to, "40.00"))
        {
            Assert.True(transfer.IsSuccessStatusCode);
        }
        await using var browser = await ConsoleBrowser.StartAsync();

        foreach (var (width, height, size) in new[] { (1280, 800, "desktop"), (390, 844, "phone") })
        {
            var tab = await browser.OpenAsync(app, width, height);
            await tab.Page.GotoAsync("/console");
            Assert.EndsWith("/console/login?return=%2Fconsole", tab.Page.Url, StringComparison.Ordinal); // signed out: to the sign-in form
            await ConsoleBrowser.ScreenshotAsync(tab.Page, $"login-{size}");
            Assert.Empty(await ConsoleBrowser.AccessibilityProblemsAsync(tab.Page));
            await ConsoleBrowser.SignInAsync(tab.Page, TestApp.AdminEmail, TestApp.AdminPassword);
            await Assertions.Expect(tab.Page).ToHaveURLAsync(SignedIn);
            foreach (var screen in Screens.Append($"/console/accounts/{from}").Append("/console/accounts?search=consola"))
            {
                var response = await tab.Page.GotoAsync(screen);
                Assert.Equal(200, response!.Status);
                var name = screen.Contains(from.ToString(), StringComparison.Ordinal) ? "console-account" : screen.Trim('/').Replace('/', '-').Replace("?search=", "-search-");
                await ConsoleBrowser.ScreenshotAsync(tab.Page, $"{name}-{size}");
                Assert.Empty(await ConsoleBrowser.AccessibilityProblemsAsync(tab.Page));
                await ConsoleBrowser.AssertNoTemplateTextAsync(tab.Page);
            }
            Assert.Empty(tab.Errors);
            await tab.Context.DisposeAsync();
        }

        var page = (await browser.OpenAsync(app)).Page;
        await ConsoleBrowser.SignInAsync(page, TestApp.AdminEmail, TestApp.AdminPassword);
        // The overview shows the transfer the customer made, and the money in MXN wallets.
        var latest = page.GetByRole(AriaRole.Region, new() { Name = "Latest movements" });
        await Assertions.Expect(latest.Locator("tbody tr").First).ToContainTextAsync("TRANSFER");
        await Assertions.Expect(latest.Locator("tbody tr").First).ToContainTextAsync("40.00 MXN");
        await Assertions.Expect(page.Locator(".tiles")).ToContainTextAsync("250.00");
        // Users are found by whole words of the name, sealed as it is.
        await page.GotoAsync("/console/users?search=consola");
        await Assertions.Expect(page.Locator("tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("tbody")).ToContainTextAsync("ana.console@example.test");
        // The ledger verifies from the console as from the API.
        await page.GotoAsync("/console/ledger");
        await page.ClickAsync("main form button[type=submit]");
        await Assertions.Expect(page.Locator("main h2").First).ToHaveTextAsync("The ledger verifies");
        await ConsoleBrowser.ScreenshotAsync(page, "ledger-verified-desktop");
    }

    [Fact]
    public async Task Customers_are_refused_viewers_stay_out_of_admin_pages_and_forms_need_their_antiforgery_token()
    {
        await using var app = await TestApp.StartAsync(DatabaseKind.Sqlite, overKestrel: true);
        var api = app.Api();
        var admin = await api.AdminAsync();
        var customer = await api.RegisterAsync();
        var viewer = await api.CreateUserAsync(admin.Token, Roles.Viewer);
        await using var browser = await ConsoleBrowser.StartAsync();

        var refused = await browser.OpenAsync(app);
        await ConsoleBrowser.SignInAsync(refused.Page, customer.Email, customer.Password);
        await Assertions.Expect(refused.Page.Locator("[role=alert]")).ToContainTextAsync("for Finsoft's staff");
        Assert.DoesNotContain(await refused.Context.CookiesAsync(), c => c.Name == "finsoft-console");
        await ConsoleBrowser.SignInAsync(refused.Page, TestApp.AdminEmail, "not-the-password");
        await Assertions.Expect(refused.Page.Locator("[role=alert]")).ToContainTextAsync("not right");

        var tab = await browser.OpenAsync(app);
        await ConsoleBrowser.SignInAsync(tab.Page, viewer.Email, viewer.Password);
        await Assertions.Expect(tab.Page).ToHaveURLAsync(SignedIn);
        var cookie = Assert.Single(await tab.Context.CookiesAsync(), c => c.Name == "finsoft-console");
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.Equal("/console", cookie.Path);
        await Assertions.Expect(tab.Page.Locator("nav")).Not.ToContainTextAsync("Users"); // no link to what the role cannot open
        // Finding people is user administration: a viewer's search by a customer's email finds no one and shows nothing of them.
        await tab.Page.GotoAsync($"/console/accounts?search={Uri.EscapeDataString(customer.Email)}");
        await Assertions.Expect(tab.Page.Locator("[role=alert]")).ToContainTextAsync("Only admins search by holder");
        Assert.DoesNotContain(customer.Email, await tab.Page.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        var users = await tab.Page.GotoAsync("/console/users");
        Assert.Equal(403, users!.Status);
        Assert.Contains("/console/denied", tab.Page.Url, StringComparison.Ordinal);
        // Posting the ledger's form with a good antiforgery token is still refused to a viewer.
        await tab.Page.GotoAsync("/console");
        var token = await tab.Page.Locator("input[name=__csrf]").First.GetAttributeAsync("value");
        var posted = await tab.Context.APIRequest.PostAsync("/console/ledger", new() { Form = tab.Context.APIRequest.CreateFormData().Append("__csrf", token!) });
        Assert.Equal(403, posted.Status);
        Assert.Empty(tab.Errors);

        // A form posted without its token is refused, signed in or not.
        var withoutToken = await tab.Context.APIRequest.PostAsync("/console/logout", new() { Form = tab.Context.APIRequest.CreateFormData().Append("x", "1") });
        Assert.Equal(400, withoutToken.Status);
        var bare = await refused.Context.APIRequest.PostAsync("/console/login", new()
        {
            Form = refused.Context.APIRequest.CreateFormData().Append("email", TestApp.AdminEmail).Append("password", TestApp.AdminPassword),
        });
        Assert.Equal(400, bare.Status); // the right password, but no token: refused before it is looked at
        Assert.DoesNotContain(await refused.Context.CookiesAsync(), c => c.Name == "finsoft-console");
        // Every console answer forbids framing and any script but the console's own.
        var login = await tab.Context.APIRequest.GetAsync("/console/login");
        Assert.Contains("frame-ancestors 'none'", login.Headers["content-security-policy"], StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", login.Headers["content-security-policy"], StringComparison.Ordinal);

        // Signing out ends the session itself, not only the cookie (the viewer's API session from CreateUserAsync lives on).
        Task<int> LiveSessions() => app.WithDbAsync(db => db.Sessions.CountAsync(s => s.UserId == viewer.UserId && s.RevokedAt == null));
        Assert.Equal(2, await LiveSessions());
        await tab.Page.ClickAsync("header form.signout button");
        await Assertions.Expect(tab.Page).ToHaveURLAsync(new Regex("/console/login"));
        Assert.Equal(1, await LiveSessions());
        var after = await tab.Page.GotoAsync("/console");
        Assert.Contains("/console/login", tab.Page.Url, StringComparison.Ordinal);
        Assert.Equal(200, after!.Status);
    }

    [Fact]
    public async Task An_admin_creates_a_user_and_deposits_once_however_often_the_form_is_sent_and_an_analyst_downloads_the_statement()
    {
        await using var app = await TestApp.StartAsync(DatabaseKind.Sqlite, overKestrel: true);
        var api = app.Api();
        await using var browser = await ConsoleBrowser.StartAsync();
        var tab = await browser.OpenAsync(app);
        var page = tab.Page;
        await ConsoleBrowser.SignInAsync(page, TestApp.AdminEmail, TestApp.AdminPassword);

        // The admin creates a customer in the console; the customer signs in to the API and opens a wallet.
        await page.GotoAsync("/console/users");
        await page.ClickAsync("details summary");
        await page.FillAsync("#full-name", "Bruno Consola");
        await page.FillAsync("#new-email", "bruno.console@example.test");
        await page.FillAsync("#new-password", "correct-horse-battery");
        await page.SelectOptionAsync("#new-role", "customer");
        await page.ClickAsync("details form button[type=submit]");
        await Assertions.Expect(page.Locator("[role=status]")).ToContainTextAsync("they can sign in now as customer");
        await Assertions.Expect(page.Locator("main table")).ToContainTextAsync("bruno.console@example.test");
        // A success is answered by a redirect to the page: a refresh sends nothing again, and the notice was said once.
        Assert.DoesNotContain("handler=", page.Url, StringComparison.Ordinal);
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("[role=status]")).ToHaveCountAsync(0);
        Assert.Equal(1, await app.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.Event == "user.created")));
        var bruno = await api.LoginAsync("bruno.console@example.test", "correct-horse-battery");
        var wallet = await api.CreateAccountAsync(bruno.Token);

        // A deposit from the wallet's page; the same form sent again (a double click, a resend) moves the money once.
        await page.GotoAsync($"/console/accounts/{wallet}");
        var form = page.Locator("form", new() { Has = page.Locator("#amount") });
        var (key, csrf) = (await form.Locator("input[name=key]").GetAttributeAsync("value"), await form.Locator("input[name=__csrf]").GetAttributeAsync("value"));
        await page.FillAsync("#amount", "125.50");
        await page.ClickAsync("form:has(#amount) button[type=submit]");
        await Assertions.Expect(page.Locator("[role=status]")).ToContainTextAsync("Deposited 125.50 MXN");
        var again = await tab.Context.APIRequest.PostAsync($"/console/accounts/{wallet}?handler=deposit", new()
        {
            Form = tab.Context.APIRequest.CreateFormData().Append("__csrf", csrf!).Append("key", key!).Append("amount", "125.50"),
        });
        Assert.Equal(200, again.Status);
        Assert.Equal("125.50", await api.BalanceAsync(bruno.Token, wallet));
        Assert.Equal(1, await app.WithDbAsync(db => db.Transactions.CountAsync(t => t.DestinationAccountId == wallet)));
        await Assertions.Expect(page.Locator("main table tbody tr")).ToHaveCountAsync(1);
        Assert.Empty(tab.Errors);

        // The transfer the customer makes shows on the overview.
        var other = await api.CreateAccountAsync(bruno.Token);
        using (var transfer = await api.TransferAsync(bruno.Token, wallet, other, "25.50"))
        {
            Assert.True(transfer.IsSuccessStatusCode);
        }
        await page.GotoAsync("/console");
        await Assertions.Expect(page.GetByRole(AriaRole.Region, new() { Name = "Latest movements" }).Locator("tbody tr").First).ToContainTextAsync("25.50 MXN");

        // An analyst verifies nothing here but downloads the statement; a viewer cannot deposit even with the form's tokens.
        var admin = await api.AdminAsync();
        var analyst = await api.CreateUserAsync(admin.Token, Roles.Analyst);
        var analysts = await browser.OpenAsync(app);
        await ConsoleBrowser.SignInAsync(analysts.Page, analyst.Email, analyst.Password);
        await analysts.Page.GotoAsync($"/console/accounts/{wallet}");
        await Assertions.Expect(analysts.Page.Locator("#amount")).ToHaveCountAsync(0);
        var download = await analysts.Page.RunAndWaitForDownloadAsync(() => analysts.Page.ClickAsync("text=PDF"));
        var pdf = await File.ReadAllBytesAsync((await download.PathAsync())!);
        Assert.Equal("%PDF"u8.ToArray(), pdf[..4]);
        var viewer = await api.CreateUserAsync(admin.Token, Roles.Viewer);
        var viewers = await browser.OpenAsync(app);
        await ConsoleBrowser.SignInAsync(viewers.Page, viewer.Email, viewer.Password);
        await viewers.Page.GotoAsync($"/console/accounts/{wallet}");
        var viewerCsrf = await viewers.Page.Locator("input[name=__csrf]").First.GetAttributeAsync("value");
        var refused = await viewers.Context.APIRequest.PostAsync($"/console/accounts/{wallet}?handler=deposit", new()
        {
            Form = viewers.Context.APIRequest.CreateFormData().Append("__csrf", viewerCsrf!).Append("key", Guid.NewGuid().ToString("N")).Append("amount", "1.00"),
        });
        Assert.Equal(403, refused.Status);
        Assert.Equal("100.00", await api.BalanceAsync(bruno.Token, wallet));
        Assert.Empty(analysts.Errors);
    }

    [Fact]
    public async Task An_admin_reverses_a_transfer_after_confirming_and_the_resent_form_reverses_it_once()
    {
        await using var app = await TestApp.StartAsync(DatabaseKind.Sqlite, overKestrel: true);
        var api = app.Api();
        var admin = await api.AdminAsync();
        var carmen = await api.RegisterAsync();
        var (from, to) = (await api.CreateAccountAsync(carmen.Token), await api.CreateAccountAsync(carmen.Token));
        await api.DepositAsync(admin.Token, from, "90.00");
        Guid transfer;
        using (var made = await api.TransferAsync(carmen.Token, from, to, "30.00"))
        {
            transfer = (await ApiClient.BodyAsync(made)).GetProperty("id").GetGuid();
        }
        await using var browser = await ConsoleBrowser.StartAsync();
        var tab = await browser.OpenAsync(app);
        var page = tab.Page;
        await ConsoleBrowser.SignInAsync(page, TestApp.AdminEmail, TestApp.AdminPassword);
        await page.GotoAsync("/console/transactions?type=TRANSFER");
        await page.ClickAsync($"a[href='/console/transactions/{transfer}']");
        await Assertions.Expect(page.Locator("main table").First).ToContainTextAsync("30.00");
        await ConsoleBrowser.ScreenshotAsync(page, "console-transaction-desktop");
        Assert.Empty(await ConsoleBrowser.AccessibilityProblemsAsync(page));

        var form = page.Locator("form:has(#confirm)");
        var (key, csrf) = (await form.Locator("input[name=key]").GetAttributeAsync("value"), await form.Locator("input[name=__csrf]").GetAttributeAsync("value"));
        // Unconfirmed, nothing moves (sent without the box, as a form posted around the browser's check would be).
        var unconfirmed = await tab.Context.APIRequest.PostAsync($"/console/transactions/{transfer}", new()
        {
            Form = tab.Context.APIRequest.CreateFormData().Append("__csrf", csrf!).Append("key", key!).Append("action", "reverse"),
        });
        Assert.Contains("Tick the confirmation", await unconfirmed.TextAsync(), StringComparison.Ordinal);
        Assert.Equal("60.00", await api.BalanceAsync(carmen.Token, from));
        await page.SelectOptionAsync("#action", "reverse");
        await page.CheckAsync("#confirm");
        await page.ClickAsync("form:has(#confirm) button[type=submit]");
        await Assertions.Expect(page.Locator("[role=status]")).ToContainTextAsync("Done: reverse");
        // The stream's events about it, and only it (the deposit and the reversal have theirs on the same wallets): made, then reversed.
        var events = page.GetByRole(AriaRole.Region, new() { Name = "Events" });
        await Assertions.Expect(events.Locator("tbody tr")).ToHaveCountAsync(3);
        await Assertions.Expect(events).ToContainTextAsync("transaction.created");
        await Assertions.Expect(events).ToContainTextAsync("transaction.completed");
        await Assertions.Expect(events).ToContainTextAsync("transaction.reversed");
        var again = await tab.Context.APIRequest.PostAsync($"/console/transactions/{transfer}", new()
        {
            Form = tab.Context.APIRequest.CreateFormData().Append("__csrf", csrf!).Append("key", key!).Append("action", "reverse").Append("confirm", "true"),
        });
        Assert.Equal(200, again.Status);
        // The same key for another action is refused as a different request, before the handler looks at the transaction.
        var otherAction = await tab.Context.APIRequest.PostAsync($"/console/transactions/{transfer}", new()
        {
            Form = tab.Context.APIRequest.CreateFormData().Append("__csrf", csrf!).Append("key", key!).Append("action", "void").Append("confirm", "true"),
        });
        Assert.Equal(422, otherAction.Status);
        Assert.Equal(("90.00", "0.00"), (await api.BalanceAsync(carmen.Token, from), await api.BalanceAsync(carmen.Token, to)));
        Assert.Equal(1, await app.WithDbAsync(db => db.Transactions.CountAsync(t => t.ReversalOfId == transfer)));
        Assert.Empty(tab.Errors);
    }

    [Fact]
    public async Task The_sign_in_page_meets_the_apis_sign_in_limit_per_client_address()
    {
        await using var app = await TestApp.StartAsync(DatabaseKind.Sqlite,
            new Dictionary<string, string?> { ["Finsoft:RateLimit:Enabled"] = "true", ["Finsoft:RateLimit:AuthPerMinute"] = "2" });
        var api = app.Api();
        for (var i = 0; i < 2; i++)
        {
            using var allowed = await api.GetAsync("/console/login", null);
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }
        using var limited = await api.GetAsync("/console/login", null);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(limited.Headers.Contains("Retry-After"));
    }

    [Fact]
    public async Task A_user_with_totp_signs_in_with_the_code_and_a_deactivated_one_is_signed_out_at_once()
    {
        await using var app = await TestApp.StartAsync(DatabaseKind.Sqlite, overKestrel: true);
        var api = app.Api();
        var admin = await api.AdminAsync();
        var analyst = await api.CreateUserAsync(admin.Token, Roles.Analyst);
        var secret = Totp.FromBase32((await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "/api/v1/auth/mfa/enable", new { }, analyst.Token))
            .GetProperty("secret").GetString()!);
        var step = Totp.StepAt(DateTimeOffset.UtcNow);
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, "/api/v1/auth/mfa/verify", new { code = Totp.CodeAt(secret, step) }, analyst.Token);
        await using var browser = await ConsoleBrowser.StartAsync();

        var tab = await browser.OpenAsync(app);
        await ConsoleBrowser.SignInAsync(tab.Page, analyst.Email, analyst.Password);
        await Assertions.Expect(tab.Page.Locator("[role=alert]")).ToContainTextAsync("Enter the code");
        await ConsoleBrowser.SignInAsync(tab.Page, analyst.Email, analyst.Password, Totp.CodeAt(secret, step)); // used already: refused
        await Assertions.Expect(tab.Page.Locator("[role=alert]")).ToContainTextAsync("not right");
        await ConsoleBrowser.SignInAsync(tab.Page, analyst.Email, analyst.Password, Totp.CodeAt(secret, Math.Max(step + 1, Totp.StepAt(DateTimeOffset.UtcNow))));
        await Assertions.Expect(tab.Page).ToHaveURLAsync(SignedIn);
        await Assertions.Expect(tab.Page.Locator("nav")).ToContainTextAsync("Ledger");

        // Deactivated by an admin: the next page is the sign-in form.
        await api.ExpectAsync(HttpStatusCode.OK, HttpMethod.Patch, $"/api/v1/admin/users/{analyst.UserId}", new { is_active = false }, admin.Token);
        await tab.Page.GotoAsync("/console/ledger");
        Assert.Contains("/console/login", tab.Page.Url, StringComparison.Ordinal);
        Assert.Empty(tab.Errors);
    }
}
