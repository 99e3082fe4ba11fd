using System.Security.Claims;
using Finsoft.Api.Features.Aml;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.MoneyPath.Settlement;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.Infrastructure.Security;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.DestinationAccounts;

public static class CreateDestinationAccount
{
    public sealed record Request(string? AccountNumber, string? FriendlyName, string? HolderName);

    /// <summary>Registers a bank account to withdraw to; its holder is screened in the same commit (a match holds withdrawals to it for review).</summary>
    public static async Task<JsonBody> Handle(Request request, ClaimsPrincipal principal, FinsoftDb db, SensitiveData sensitive, PersonalData personal,
        Screener screener, TimeProvider time, CancellationToken ct)
    {
        var validation = new Validation().Required("account_number", request.AccountNumber, 18)
            .Required("friendly_name", request.FriendlyName, 100).Required("holder_name", request.HolderName, 200);
        var clabe = Clabe.Parse(request.AccountNumber);
        if (request.AccountNumber is not null && !clabe.IsSuccess)
        {
            validation.Add("account_number", clabe.Error!.Message);
        }
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        var now = time.UtcNow();
        var owner = CurrentUser.From(principal).Id;
        var key = await personal.KeyOfAsync(db, owner, ct);
        var row = new DestinationAccountRow
        {
            Id = Guid.CreateVersion7(), UserId = owner, AccountNumber = key.Seal(clabe.Value.Value),
            AccountNumberHash = sensitive.Hash(SensitiveKinds.Clabe, clabe.Value.Value),
            BankCode = clabe.Value.Bank.Code, BankName = clabe.Value.Bank.Name, FriendlyName = request.FriendlyName!.Trim(),
            HolderFullName = key.Seal(request.HolderName!.Trim()), VerificationStatus = VerificationStatus.Unverified, CreatedAt = now, UpdatedAt = now,
        };
        db.DestinationAccounts.Add(row);
        await screener.ScreenAsync(ScreeningSubject.OfDestination(row, key), by: null, ct);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (DatabaseSetup.IsUniqueViolation(e))
        {
            return ApiResults.Conflict("This account is already registered");
        }
        return ApiResults.Created(DestinationAccountDto.From(row, key));
    }
}

public static class DestinationAccountQueries
{
    public static async Task<JsonBody> List(int? limit, string? cursor, HttpRequest http, ClaimsPrincipal principal, FinsoftDb db, PersonalData personal,
        CancellationToken ct)
    {
        if (!PageRequest.TryParse(limit, cursor, out var page, out var problem))
        {
            return problem!;
        }
        var key = await personal.KeyOfAsync(db, CurrentUser.From(principal).Id, ct); // a customer's destinations are all under its key
        return await PageResponse.ReadAsync(db.DestinationAccounts.OwnedBy(principal), page, newestFirst: false, http, d => DestinationAccountDto.From(d, key), ct);
    }

    public static async Task<JsonBody> Get(Guid id, ClaimsPrincipal principal, FinsoftDb db, PersonalData personal, CancellationToken ct)
    {
        var row = await db.DestinationAccounts.OwnedBy(principal).AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, ct);
        return row is null
            ? ApiResults.NotFound("Destination account not found")
            : ApiResults.Ok(DestinationAccountDto.From(row, await personal.KeyOfAsync(db, row.UserId, ct)));
    }

    /// <summary>Soft delete: past withdrawals keep pointing at the row.</summary>
    public static async Task<JsonBody> Delete(Guid id, ClaimsPrincipal principal, FinsoftDb db, TimeProvider time, CancellationToken ct)
    {
        var now = time.UtcNow();
        var deleted = await db.DestinationAccounts.OwnedBy(principal).Where(d => d.Id == id)
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.DeletedAt, now).SetProperty(d => d.UpdatedAt, now), ct);
        return deleted == 1 ? ApiResults.Deleted("Account deleted successfully") : ApiResults.NotFound("Destination account not found");
    }

    /// <summary>Asks the bank whether the account exists under that holder, and records the answer.</summary>
    public static async Task<JsonBody> Verify(Guid id, ClaimsPrincipal principal, FinsoftDb db, IBankConnector bank, PersonalData personal,
        TimeProvider time, CancellationToken ct)
    {
        var row = await db.DestinationAccounts.OwnedBy(principal).FirstOrDefaultAsync(d => d.Id == id, ct);
        if (row is null)
        {
            return ApiResults.NotFound("Destination account not found");
        }
        var key = await personal.KeyOfAsync(db, row.UserId, ct);
        if (!await bank.VerifyAccountAsync(key.Open(row.AccountNumber), key.Open(row.HolderFullName), ct))
        {
            return ApiResults.Unprocessable("The bank could not verify this account");
        }
        row.VerificationStatus = VerificationStatus.Verified;
        row.UpdatedAt = time.UtcNow();
        await db.SaveChangesAsync(ct);
        return ApiResults.Ok(DestinationAccountDto.From(row, key));
    }
}

public static class DestinationAccountsEndpoints
{
    public static IEndpointRouteBuilder MapDestinationAccounts(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/destination-accounts").WithTags("Destination accounts").RequireAuthorization(Policies.MoveMoney)
            .ProducesError(400, 401, 403);
        group.MapGet("/", DestinationAccountQueries.List).Produces<List<DestinationAccountDto>>().ProducesError(422);
        group.MapPost("/", CreateDestinationAccount.Handle).Produces<DestinationAccountDto>(201).ProducesError(409, 422);
        group.MapGet("/{id:guid}", DestinationAccountQueries.Get).Produces<DestinationAccountDto>().ProducesError(404);
        group.MapDelete("/{id:guid}", DestinationAccountQueries.Delete).Produces<StatusMessage>().ProducesError(404);
        group.MapPut("/{id:guid}/verify", DestinationAccountQueries.Verify).Produces<DestinationAccountDto>().ProducesError(404, 422);
        return app;
    }
}
