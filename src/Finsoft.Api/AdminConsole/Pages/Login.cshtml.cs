using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Finsoft.Api.AdminConsole.Pages;

public sealed class LoginModel(ConsoleSignIn signIn) : PageModel
{
    public string? Error { get; private set; }

    public string? Email { get; private set; }

    [BindProperty(SupportsGet = true, Name = "return")]
    public string? Return { get; set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(string? email, string? password, string? code, CancellationToken ct)
    {
        var outcome = await signIn.SignInAsync(email, password, code, ct);
        if (outcome.Principal is null)
        {
            (Error, Email) = (outcome.Error, email);
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }
        await HttpContext.SignInAsync(ConsoleSetup.Scheme, outcome.Principal);
        // Only back into the console: a return address elsewhere would make the sign-in page an open redirect.
        return LocalRedirect(Return is { } back && back.StartsWith(ConsoleSetup.PathBase, StringComparison.Ordinal) && !back.StartsWith("//", StringComparison.Ordinal)
            ? back
            : ConsoleSetup.PathBase);
    }
}
