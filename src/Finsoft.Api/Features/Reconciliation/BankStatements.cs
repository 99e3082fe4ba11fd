using System.Globalization;
using Finsoft.Api.Host;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.MoneyPath.Settlement;
using Microsoft.Extensions.Options;

namespace Finsoft.Api.Features.Reconciliation;

/// <summary>The bank's statement of the settlement account for a day, fetched through the bank connector, as it sends it (camt.053).</summary>
public static class BankStatements
{
    public static async Task<JsonBody> Get(string? date, string? currency, IBankConnector bank, IOptions<FinsoftOptions> options, TimeProvider time,
        CancellationToken ct)
    {
        var validation = new Validation();
        var money = validation.Currency("currency", currency, options.Value.DefaultCurrencyValue);
        var day = DateOnly.FromDateTime(time.UtcNow());
        if (date is not null && !DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day))
        {
            validation.Add("date", "date must be yyyy-MM-dd.");
        }
        if (!validation.IsValid)
        {
            return validation.Result;
        }
        return new JsonBody(StatusCodes.Status200OK, await bank.StatementAsync(day, money!, ct), "application/xml");
    }
}
