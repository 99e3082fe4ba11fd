using Finsoft.Api.Features.Accounts;
using Finsoft.Api.Features.Identity;
using Finsoft.Api.Features.Users;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.Infrastructure.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.AdminConsole.Pages;

/// <summary>
/// Wallets: a CLABE opens its account; a holder's email or name words list the people it matches, each with their wallets
/// (the API's account list for that holder); with no search, every open wallet, the newest first, a page at a time.
/// </summary>
public sealed class AccountsModel(FinsoftDb db, PersonalData personal) : FormPageModel
{
    public sealed record Holder(UserDto User, IReadOnlyList<AccountDto> Wallets);

    public string? Search { get; private set; }

    public IReadOnlyList<Holder> Holders { get; private set; } = [];

    public IReadOnlyList<AccountDto> Newest { get; private set; } = [];

    public string? Next { get; private set; }

    /// <summary>The account an 18-digit CLABE names, as a holder reads it out.</summary>
    public static Task<Guid?> FindByClabeAsync(FinsoftDb db, string clabe, CancellationToken ct) =>
        db.Accounts.AsNoTracking().Where(a => a.Clabe == clabe).Select(a => (Guid?)a.Id).FirstOrDefaultAsync(ct);

    public async Task<IActionResult> OnGetAsync(string? search, string? cursor, CancellationToken ct)
    {
        Search = search?.Trim();
        if (string.IsNullOrEmpty(Search))
        {
            Search = null;
            var listed = PageRequest.TryParse(25, cursor, out var page, out var problem)
                ? await PageResponse.ReadAsync(db.OpenWallets(), page, newestFirst: true, Request, AccountDto.From, ct)
                : problem!;
            (Newest, Next) = Listed<AccountDto>(listed);
            return Page();
        }
        if (Search.Length == 18 && Search.All(char.IsAsciiDigit))
        {
            if (await FindByClabeAsync(db, Search, ct) is { } id)
            {
                return Redirect($"{ConsoleSetup.PathBase}/accounts/{id}");
            }
            Error = "No wallet has this CLABE.";
            return Page();
        }
        if (!User.IsInRole(Infrastructure.Auth.Roles.Admin))
        {
            // Finding people by email or name is user administration, which is the admins' (as GET /admin/users is).
            Error = "Only admins search by holder; search by the wallet's 18-digit CLABE.";
            return Page();
        }
        var found = await AdminUsers.List(Search, null, null, 10, null, Request, db, personal, ct);
        if (!Answers.IsSuccess(found))
        {
            Refuse(found);
            return Page();
        }
        var holders = new List<Holder>();
        foreach (var user in Answers.Read<List<UserDto>>(found))
        {
            var wallets = await ListAccounts.Handle(user.Id, 50, null, Request, User, db, ct);
            holders.Add(new Holder(user, Answers.IsSuccess(wallets) ? Answers.Read<List<AccountDto>>(wallets) : []));
        }
        Holders = holders;
        return Page();
    }
}
