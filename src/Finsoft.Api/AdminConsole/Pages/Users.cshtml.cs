using System.Text.Json;
using Finsoft.Api.Features.Identity;
using Finsoft.Api.Features.Users;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.Infrastructure.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Finsoft.Api.AdminConsole.Pages;

/// <summary>Users, a page at a time, found by exact email or whole name words: the API's user administration list.</summary>
[Authorize(Policy = ConsoleSetup.Policies.Admin)]
public sealed class UsersModel(FinsoftDb db, PersonalData personal) : PageModel
{
    public string? Search { get; private set; }

    public string? Role { get; private set; }

    public IReadOnlyList<UserDto> Users { get; private set; } = [];

    public string? Next { get; private set; }

    public IReadOnlyDictionary<string, string[]>? Errors { get; private set; }

    public async Task OnGetAsync(string? search, string? role, string? cursor, CancellationToken ct)
    {
        (Search, Role) = (search, string.IsNullOrEmpty(role) ? null : role);
        var answer = await AdminUsers.List(Search, Role, null, 25, cursor, Request, db, personal, ct);
        if (answer.StatusCode != StatusCodes.Status200OK)
        {
            Errors = JsonSerializer.Deserialize<ProblemBody>(answer.Json, Json.Options)?.Errors ?? new() { ["search"] = ["The search could not be read."] };
            Response.StatusCode = answer.StatusCode;
            return;
        }
        Users = JsonSerializer.Deserialize<List<UserDto>>(answer.Json, Json.Options) ?? [];
        Next = answer.Headers.TryGetValue("Link", out var link) ? link.Split('<', '>')[1] : null;
    }

    private sealed record ProblemBody(Dictionary<string, string[]>? Errors);
}
