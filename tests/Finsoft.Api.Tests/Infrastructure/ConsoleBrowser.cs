using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Finsoft.Api.Tests.Infrastructure;

/// <summary>
/// Debian's Chromium, driven by Playwright, headless. Each page records the errors its console and scripts report, and
/// screenshots go to <c>FINSOFT_SCREENSHOTS</c> (default: console-screenshots beside the test assembly) to be looked at.
/// Browser tests run by themselves, after the others (<see cref="BrowserCollection"/>): a browser and a server on two busy cores
/// time out.
/// </summary>
public sealed class ConsoleBrowser : IAsyncDisposable
{
    private const string Chromium = "/usr/bin/chromium";

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private ConsoleBrowser(IPlaywright playwright, IBrowser browser) => (_playwright, _browser) = (playwright, browser);

    public static string Screenshots { get; } = Environment.GetEnvironmentVariable("FINSOFT_SCREENSHOTS") is { Length: > 0 } set
        ? set
        : Path.Combine(AppContext.BaseDirectory, "console-screenshots");

    public static async Task<ConsoleBrowser> StartAsync()
    {
        if (!File.Exists(Chromium))
        {
            throw new InvalidOperationException("chromium is not installed (Debian: apt-get install chromium).");
        }
        Assertions.SetDefaultExpectTimeout(30_000);
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
        return new ConsoleBrowser(playwright, browser);
    }

    public sealed record Tab(IBrowserContext Context, IPage Page, List<string> Errors);

    public async Task<Tab> OpenAsync(TestApp app, int width = 1280, int height = 800)
    {
        var context = await _browser.NewContextAsync(new() { BaseURL = app.Address.ToString(), ViewportSize = new() { Width = width, Height = height } });
        // Generous waits: on two cores a page shares them with every other test's server.
        context.SetDefaultTimeout(90_000);
        context.SetDefaultNavigationTimeout(90_000);
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            // A 401 or 403 the page itself was answered with is the test's subject, not an error of the page's (a missing asset's 404 is).
            if (message.Type == "error" && !message.Text.Contains("status of 401", StringComparison.Ordinal)
                && !message.Text.Contains("status of 403", StringComparison.Ordinal))
            {
                errors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => errors.Add(error);
        return new Tab(context, page, errors);
    }

    /// <summary>Signs in through the form, as a person would.</summary>
    public static async Task SignInAsync(IPage page, string email, string password, string? code = null)
    {
        await page.GotoAsync("/console/login");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", password);
        if (code is not null)
        {
            await page.FillAsync("#code", code);
        }
        // The form's answer (the page again, or a redirect into the console) before anything looks at the page.
        await page.RunAndWaitForResponseAsync(() => page.ClickAsync("form.card button[type=submit]"),
            response => response.Request.Method == "POST" && response.Url.Contains("/console/login", StringComparison.Ordinal));
        await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
    }

    /// <summary>The page's serious and critical accessibility violations, as axe-core finds them.</summary>
    public static async Task<List<string>> AccessibilityProblemsAsync(IPage page)
    {
        var result = await page.RunAxe();
        return result.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Target?.ToString()))}").ToList();
    }

    /// <summary>No Razor leaked into the page as text (an <c>else</c> or a <c>Model.</c> left outside code renders as words).</summary>
    public static async Task AssertNoTemplateTextAsync(IPage page)
    {
        var text = await page.Locator("main").InnerTextAsync();
        Assert.DoesNotContain("Model.", text, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"(^|\n)\s*(\}\s*)?else\b|(^|\n)\s*[{}]\s*(\n|$)", text);
    }

    public static async Task ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(Screenshots);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, name + ".png"), FullPage = true });
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrowserCollection
{
    public const string Name = "browser";
}
