using Finsoft.Ledger;

namespace Finsoft.Api.Infrastructure.Http;

/// <summary>Collects field errors for one request; empty means valid.</summary>
public sealed class Validation
{
    private readonly Dictionary<string, string[]> _errors = [];

    public bool IsValid => _errors.Count == 0;

    public JsonBody Result => ApiResults.Invalid(_errors);

    public Validation Add(string field, string message)
    {
        _errors[field] = _errors.TryGetValue(field, out var existing) ? [.. existing, message] : [message];
        return this;
    }

    public Validation Required(string field, string? value, int maxLength = 200)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return Add(field, $"{field} is required.");
        }
        return value.Length > maxLength ? Add(field, $"{field} must be at most {maxLength} characters.") : this;
    }

    public Validation Optional(string field, string? value, int maxLength = 500) =>
        value is not null && value.Length > maxLength ? Add(field, $"{field} must be at most {maxLength} characters.") : this;

    /// <summary>A value date: an earlier day a movement counts on, never a later one.</summary>
    public Validation ValueDate(string field, DateOnly? value, DateTime now) =>
        value > DateOnly.FromDateTime(now) ? Add(field, $"{field} cannot be after today ({DateOnly.FromDateTime(now):yyyy-MM-dd}, UTC).") : this;

    public Validation Required(string field, Guid? value) => value is null || value == Guid.Empty ? Add(field, $"{field} is required.") : this;

    /// <summary>An ISO 4217 code as a currency; <paramref name="fallback"/> when none is given (null: required).</summary>
    public Currency? Currency(string field, string? code, Currency? fallback = null)
    {
        if (code is null && fallback is not null)
        {
            return fallback;
        }
        var found = Finsoft.Ledger.Currency.Find(code ?? "");
        if (found is null)
        {
            Add(field, $"{field} must be an ISO 4217 code.");
        }
        return found;
    }

    /// <summary>Parses a positive amount in the currency, recording the reason when it is not one.</summary>
    public Money? Amount(string field, string? text, Currency currency)
    {
        var parsed = Money.ParsePositive(text, currency);
        if (parsed.IsSuccess)
        {
            return parsed.Value;
        }
        Add(field, parsed.Error!.Message);
        return null;
    }
}
