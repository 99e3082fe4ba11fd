using System.Collections.Concurrent;
using System.Text.Json;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Ledger;
using Finsoft.Ledger.Monitoring;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.MoneyPath.Monitoring;

/// <summary>One version of the monitoring rules as a node holds it, with their amounts read once per currency.</summary>
public sealed class RulesInForce(MonitoringRules rules, int version)
{
    private readonly ConcurrentDictionary<Currency, RuleAmounts> _amounts = new();

    public MonitoringRules Rules { get; } = rules;

    public int Version { get; } = version;

    public RuleAmounts AmountsIn(Currency currency) => _amounts.GetOrAdd(currency, c => RuleAmounts.Of(Rules, c));
}

/// <summary>
/// The monitoring rules in force, as this node last read them. The engine asks every batch; at most once every
/// <see cref="Freshness"/> that costs one small query for the version (and the document when it changed), so an
/// admin's change reaches every node within that time. No row yet: the defaults.
/// </summary>
public sealed class MonitoringRulesCache(TimeProvider time)
{
    public static readonly TimeSpan Freshness = TimeSpan.FromSeconds(2);

    /// <summary>Swapped whole, so the engine's writer loops never read half of an update.</summary>
    private sealed record Held(RulesInForce Rules, DateTimeOffset ReadAt);

    private Held _current = new(new RulesInForce(new MonitoringRules(), 0), DateTimeOffset.MinValue);

    public async Task<RulesInForce> CurrentAsync(FinsoftDb db, CancellationToken ct)
    {
        var current = _current;
        var now = time.GetUtcNow();
        if (now - current.ReadAt < Freshness)
        {
            return current.Rules;
        }
        var version = await db.MonitoringRules.AsNoTracking().Select(r => (int?)r.Version).FirstOrDefaultAsync(ct) ?? 0;
        var rules = current.Rules;
        if (version != rules.Version)
        {
            var document = await db.MonitoringRules.AsNoTracking().Select(r => r.Document).FirstAsync(ct);
            rules = new RulesInForce(Parse(document), version);
        }
        _current = new Held(rules, now);
        return rules;
    }

    /// <summary>Forgets when it last read, so the next batch reads the rules again (after a change on this node).</summary>
    public void Invalidate() => _current = _current with { ReadAt = DateTimeOffset.MinValue };

    public static MonitoringRules Parse(string document) => JsonSerializer.Deserialize<MonitoringRules>(document, Json.Options) ?? new MonitoringRules();
}
