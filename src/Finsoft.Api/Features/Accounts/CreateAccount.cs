using System.Security.Claims;
using System.Security.Cryptography;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.Features.Accounts;

public static class CreateAccount
{
    public sealed record Request(string? Clabe, string? Currency);

    private const string Branch = "180";

    public static async Task<JsonBody> Handle(Request? request, ClaimsPrincipal principal, FinsoftDb db,
        IOptions<FinsoftOptions> options, TimeProvider time, CancellationToken ct)
    {
        var user = CurrentUser.From(principal);
        var validation = new Validation();
        var currency = request?.Currency is null ? options.Value.DefaultCurrencyValue : Currency.Find(request.Currency);
        if (currency is null)
        {
            validation.Add("currency", "currency must be an ISO 4217 code such as MXN, USD or JPY.");
        }
        Clabe? clabe = null;
        if (request?.Clabe is not null)
        {
            var parsed = Clabe.Parse(request.Clabe);
            if (parsed.IsSuccess)
            {
                clabe = parsed.Value;
            }
            else
            {
                validation.Add("clabe", parsed.Error!.Message);
            }
        }
        if (!validation.IsValid)
        {
            return validation.Result;
        }

        // A generated CLABE can collide with an existing one; the unique index decides and we draw again.
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var now = time.UtcNow();
            var account = new AccountRow
            {
                Id = Guid.CreateVersion7(), UserId = user.Id, Kind = AccountKind.Wallet, Currency = currency!.Code,
                Clabe = (clabe ?? GenerateClabe()).Value, NormalSide = NormalSide.Credit, BalanceFloor = 0, CreatedAt = now, UpdatedAt = now,
            };
            db.Accounts.Add(account);
            try
            {
                await db.SaveChangesAsync(ct);
                return ApiResults.Created(AccountDto.From(account));
            }
            catch (DbUpdateException e) when (DatabaseSetup.IsUniqueViolation(e))
            {
                db.ChangeTracker.Clear();
                if (clabe is not null)
                {
                    return ApiResults.Unprocessable("This CLABE is already registered");
                }
            }
        }
        throw new InvalidOperationException("Could not generate a unique CLABE.");
    }

    private static Clabe GenerateClabe() =>
        Clabe.Create(MexicanBank.FinsoftIssuerCode, Branch, string.Create(11, 0, (digits, _) =>
        {
            for (var i = 0; i < digits.Length; i++)
            {
                digits[i] = (char)('0' + RandomNumberGenerator.GetInt32(10));
            }
        }));
}
