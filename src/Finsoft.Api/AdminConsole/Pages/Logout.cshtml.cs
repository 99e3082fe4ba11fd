using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Persistence;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Finsoft.Api.AdminConsole.Pages;

/// <summary>Ends the console's session (in the database, as an API logout does) and its cookie.</summary>
public sealed class LogoutModel(FinsoftDb db, TimeProvider time) : PageModel
{
    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (CurrentUser.TryFrom(User) is { } user)
        {
            await db.Sessions.Where(s => s.Id == user.SessionId).RevokeAsync(time.UtcNow(), ct);
        }
        await HttpContext.SignOutAsync(ConsoleSetup.Scheme);
        Response.Cookies.Delete(ConsoleSetup.NoticeCookie, new CookieOptions { Path = ConsoleSetup.PathBase }); // nothing left for the next person
        return Redirect(ConsoleSetup.PathBase + "/login");
    }
}
