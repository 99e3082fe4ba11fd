using Finsoft.Api.Features.Accounts;
using Finsoft.Api.Features.Aml;
using Finsoft.Api.Features.Identity;
using Finsoft.Api.Features.Users;
using Finsoft.Api.Infrastructure.Audit;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.Infrastructure.Security;
using Finsoft.Api.MoneyPath.Store;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.AdminConsole.Pages;

/// <summary>
/// One person, for an admin: role, active or not, lockout, profile, and the wallets they hold, owned or as a joint holder.
/// Every change is the API's user administration handler (the same checks, the last-admin rule, the audit record).
/// </summary>
[Authorize(Policy = ConsoleSetup.Policies.Admin)]
public sealed class UserModel(FinsoftDb db, PersonalData personal, TimeProvider time) : FormPageModel
{
    public UserDto? Person { get; private set; }

    public Profiles.ProfileDto? Profile { get; private set; }

    public IReadOnlyList<AccountDto> Wallets { get; private set; } = [];

    public bool IsLocked => Person?.LockedUntil > time.GetUtcNow().UtcDateTime;

    public Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct) => ShowAsync(id, ct);

    public async Task<IActionResult> OnPostRoleAsync(Guid id, string? role, [FromServices] AuditTrail audit, CancellationToken ct)
    {
        Tell(await AdminUsers.Update(id, new AdminUsers.UpdateRequest(role, null), User, db, personal, audit, time, ct),
            answer => $"The role is now {Answers.Read<UserDto>(answer).Role}. Sessions signed in under the old role have ended: they sign in again.");
        return await AnsweredAsync(() => ShowAsync(id, ct));
    }

    public async Task<IActionResult> OnPostActiveAsync(Guid id, bool active, [FromServices] AuditTrail audit, CancellationToken ct)
    {
        Tell(await AdminUsers.Update(id, new AdminUsers.UpdateRequest(null, active), User, db, personal, audit, time, ct),
            _ => active ? "Reactivated: they can sign in again." : "Deactivated: every session ended, and they cannot sign in.");
        return await AnsweredAsync(() => ShowAsync(id, ct));
    }

    public async Task<IActionResult> OnPostUnlockAsync(Guid id, [FromServices] AuditTrail audit, CancellationToken ct)
    {
        Tell(await AdminUsers.Unlock(id, User, db, personal, audit, time, ct), _ => "Unlocked: they can sign in again now.");
        return await AnsweredAsync(() => ShowAsync(id, ct));
    }

    public async Task<IActionResult> OnPostProfileAsync(Guid id, string? cuit, string? phone, string? company, string? birthDate, string? country,
        [FromServices] SensitiveData sensitive, [FromServices] Screener screener, [FromServices] UnitOfWork work, [FromServices] AuditTrail audit,
        CancellationToken ct)
    {
        var request = new Profiles.Request(Blank(cuit), Blank(phone), Blank(company), Blank(birthDate), Blank(country));
        Tell(await Profiles.PutAny(id, request, User, db, sensitive, personal, screener, work, audit, time, ct),
            _ => "Profile saved; the person was screened again as it now describes them.");
        return await AnsweredAsync(async () =>
        {
            var shown = await ShowAsync(id, ct);
            // Refused: the form keeps what was typed, to be mended, rather than what is stored.
            Profile = Profile is null ? null : Profile with { Cuit = cuit, Phone = phone, Company = company, BirthDate = birthDate, Country = country };
            return shown;
        });
    }

    /// <summary>Makes the person a joint holder of another's wallet, found by its CLABE (what the holder reads out) or its id.</summary>
    public async Task<IActionResult> OnPostGrantAsync(Guid id, string? wallet, [FromServices] AuditTrail audit, CancellationToken ct)
    {
        var term = wallet?.Trim() ?? "";
        var accountId = Guid.TryParse(term, out var given) ? given
            : await AccountsModel.FindByClabeAsync(db, term, ct);
        if (accountId is null)
        {
            (Error, Response.StatusCode) = ("No wallet has this CLABE or id.", StatusCodes.Status404NotFound);
            return await AnsweredAsync(() => ShowAsync(id, ct));
        }
        Tell(await AccountGrants.Grant(id, new AccountGrants.Request(accountId), User, db, audit, time, ct),
            _ => "They now hold the wallet jointly: they can see it and move its money.");
        return await AnsweredAsync(() => ShowAsync(id, ct));
    }

    public async Task<IActionResult> OnPostRevokeAsync(Guid id, Guid accountId, [FromServices] AuditTrail audit, CancellationToken ct)
    {
        Tell(await AccountGrants.Revoke(id, accountId, User, db, audit, ct), _ => "They no longer hold that wallet.");
        return await AnsweredAsync(() => ShowAsync(id, ct));
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private async Task<IActionResult> ShowAsync(Guid id, CancellationToken ct)
    {
        db.ChangeTracker.Clear(); // what a handler tracked is not what the page shows
        var person = await AdminUsers.Get(id, db, personal, ct);
        if (!Answers.IsSuccess(person))
        {
            return NotFound();
        }
        Person = Answers.Read<UserDto>(person);
        var profile = await Profiles.GetAny(id, db, personal, ct);
        Profile = Answers.IsSuccess(profile) ? Answers.Read<Profiles.ProfileDto>(profile) : null;
        var wallets = await AccountGrants.List(id, PageRequest.MaxLimit, null, Request, db, ct);
        Wallets = Answers.IsSuccess(wallets) ? Answers.Read<List<AccountDto>>(wallets) : [];
        return Page();
    }
}
