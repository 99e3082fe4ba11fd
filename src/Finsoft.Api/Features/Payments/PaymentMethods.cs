using System.Security.Claims;
using System.Text.Json.Serialization;
using Finsoft.Api.Infrastructure.Auth;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.Infrastructure.Security;
using Finsoft.Api.MoneyPath.Providers;
using Finsoft.Ledger;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.Features.Payments;

/// <summary>
/// A customer's cards and bank accounts to pay in from. The card is checked, then handed to the card
/// provider's vault; Finsoft keeps the provider's token, the brand, the last four digits and the expiry.
/// </summary>
public static class PaymentMethods
{
    public sealed record CardRequest(string? Number, int? ExpMonth, int? ExpYear, string? Cvc, string? HolderName)
    {
        /// <summary>The number and CVC stay out of any log or message that prints this request.</summary>
        public override string ToString() => "card (details withheld)";
    }

    public sealed record Request(string? Type, CardRequest? Card, string? Clabe, string? HolderName);

    public sealed record Response(
        Guid Id, string Type,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Brand,
        string Last4,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? ExpMonth,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? ExpYear,
        string HolderName,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? BankName,
        string Provider, DateTime CreatedAt)
    {
        /// <summary>The holder's name is sealed under the owner's key (<paramref name="ownerKey"/>).</summary>
        public static Response From(PaymentMethodRow m, PersonKey ownerKey) =>
            new(m.Id, m.Type, m.Brand, m.Last4, m.ExpMonth, m.ExpYear, ownerKey.Open(m.HolderName), m.BankName, m.Provider, m.CreatedAt);
    }

    public static async Task<JsonBody> Create(Request request, ClaimsPrincipal principal, FinsoftDb db, PaymentProviders providers, PersonalData personal,
        TimeProvider time, CancellationToken ct)
    {
        var now = time.UtcNow();
        var row = request.Type switch
        {
            PaymentMethodType.Card => await CardAsync(request, providers.ForCards, now, ct),
            PaymentMethodType.BankAccount => await BankAccountAsync(request, providers.ForBankAccounts, ct),
            _ => Problem("type", "type must be card or bank_account."),
        };
        if (row.Problem is not null)
        {
            return row.Problem;
        }
        var method = row.Method!;
        method.Id = Guid.CreateVersion7();
        method.UserId = CurrentUser.From(principal).Id;
        method.CreatedAt = now;
        var key = await personal.KeyOfAsync(db, method.UserId, ct);
        method.HolderName = key.Seal(method.HolderName);
        db.PaymentMethods.Add(method);
        await db.SaveChangesAsync(ct);
        return ApiResults.Created(Response.From(method, key));
    }

    public static async Task<JsonBody> List(ClaimsPrincipal principal, FinsoftDb db, PersonalData personal, CancellationToken ct)
    {
        var user = CurrentUser.From(principal).Id;
        var rows = await db.PaymentMethods.AsNoTracking().Where(m => m.UserId == user && m.DeletedAt == null).OrderBy(m => m.CreatedAt).ToListAsync(ct);
        var key = await personal.KeyOfAsync(db, user, ct);
        return ApiResults.Ok(rows.Select(m => Response.From(m, key)).ToList());
    }

    /// <summary>Soft: payments made with the method keep pointing at it.</summary>
    public static async Task<IResult> Delete(Guid id, ClaimsPrincipal principal, FinsoftDb db, TimeProvider time, CancellationToken ct)
    {
        var user = CurrentUser.From(principal).Id;
        var now = time.UtcNow();
        var deleted = await db.PaymentMethods.Where(m => m.Id == id && m.UserId == user && m.DeletedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.DeletedAt, now), ct);
        return deleted == 1 ? TypedResults.NoContent() : ApiResults.NotFound("Payment method not found");
    }

    private static async Task<(PaymentMethodRow? Method, JsonBody? Problem)> CardAsync(Request request, IPaymentProvider provider, DateTime now, CancellationToken ct)
    {
        if (request.Clabe is not null)
        {
            return Problem("clabe", "clabe belongs to a bank_account, not a card.");
        }
        if (request.Card is not { } card)
        {
            return Problem("card", "card is required for a card.");
        }
        var (parsed, problem) = PaymentCard.Parse(card.Number, card.ExpMonth, card.ExpYear, card.Cvc, card.HolderName ?? request.HolderName, now);
        if (parsed is null)
        {
            return Problem("card", problem!);
        }
        var token = await provider.VaultCardAsync(new CardToVault(parsed.Number, parsed.ExpMonth, parsed.ExpYear, parsed.Cvc, parsed.HolderName), ct);
        return (new PaymentMethodRow
        {
            Type = PaymentMethodType.Card, Provider = token.Provider, Token = token.Token, Brand = parsed.Brand.ToString().ToLowerInvariant(),
            Last4 = parsed.Last4, ExpMonth = parsed.ExpMonth, ExpYear = parsed.ExpYear, HolderName = parsed.HolderName,
        }, null);
    }

    private static async Task<(PaymentMethodRow? Method, JsonBody? Problem)> BankAccountAsync(Request request, IPaymentProvider provider, CancellationToken ct)
    {
        if (request.Card is not null)
        {
            return Problem("card", "card belongs to a card, not a bank_account.");
        }
        var clabe = Clabe.Parse(request.Clabe);
        if (!clabe.IsSuccess)
        {
            return Problem("clabe", clabe.Error!.Message);
        }
        if (string.IsNullOrWhiteSpace(request.HolderName) || request.HolderName.Length > 200)
        {
            return Problem("holder_name", "holder_name is required (at most 200 characters).");
        }
        var token = await provider.VaultBankAccountAsync(clabe.Value.Value, request.HolderName.Trim(), ct);
        return (new PaymentMethodRow
        {
            Type = PaymentMethodType.BankAccount, Provider = token.Provider, Token = token.Token, Last4 = clabe.Value.Value[^4..],
            HolderName = request.HolderName.Trim(), BankName = clabe.Value.Bank.Name,
        }, null);
    }

    private static (PaymentMethodRow? Method, JsonBody? Problem) Problem(string field, string message) =>
        (null, ApiResults.Invalid(new Dictionary<string, string[]> { [field] = [message] }));
}
