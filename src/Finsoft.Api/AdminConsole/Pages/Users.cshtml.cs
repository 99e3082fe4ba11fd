using Finsoft.Api.Features.Aml;
using Finsoft.Api.Features.Identity;
using Finsoft.Api.Features.Users;
using Finsoft.Api.Infrastructure.Audit;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.Infrastructure.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Finsoft.Api.AdminConsole.Pages;

/// <summary>Users, a page at a time, found by exact email or whole name words: the API's user administration list.</summary>
[Authorize(Policy = ConsoleSetup.Policies.Admin)]
public sealed class UsersModel(FinsoftDb db, PersonalData personal, TimeProvider time) : FormPageModel
{
    public DateTime Now => time.GetUtcNow().UtcDateTime;

    public string? Search { get; private set; }

    public string? Role { get; private set; }

    public IReadOnlyList<UserDto> Users { get; private set; } = [];

    public string? Next { get; private set; }

    public async Task OnGetAsync(string? search, string? role, string? cursor, CancellationToken ct)
    {
        (Search, Role) = (search, string.IsNullOrEmpty(role) ? null : role);
        var answer = await AdminUsers.List(Search, Role, null, 25, cursor, Request, db, personal, ct);
        (Users, Next) = Listed<UserDto>(answer);
    }

    /// <summary>Creates a user with a role through the API's handler: the same checks, screening and audit record.</summary>
    public async Task<IActionResult> OnPostCreateAsync(string? fullName, string? email, string? password, string? role, [FromServices] Passwords passwords,
        [FromServices] Screener screener, [FromServices] AuditTrail audit, CancellationToken ct)
    {
        Tell(await AdminUsers.Create(new AdminUsers.CreateRequest(fullName, email, password, role), User, db, passwords, personal, screener, audit, time, ct),
            // The notice crosses a redirect in a cookie: it names no one.
            answer => $"Created: they can sign in now as {Answers.Read<UserDto>(answer).Role}, and are listed below.");
        return await AnsweredAsync(() => OnGetAsync(null, null, null, ct));
    }
}
