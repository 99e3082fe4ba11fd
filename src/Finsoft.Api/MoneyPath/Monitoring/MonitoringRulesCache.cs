using System.Text.Json;
using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Ledger.Monitoring;
using Microsoft.EntityFrameworkCore;

namespace Finsoft.Api.MoneyPath.Monitoring;

/// <summary>
/// The monitoring rules in force, as this node last read them. The engine asks every batch; at most once every
/// <see cref="Freshness"/> that costs one small query for the version (and the document when it changed), so an
/// admin's change reaches every node within that time. No row yet: the defaults.
/// </summary>
public sealed class MonitoringRulesCache(TimeProvider time)
{
    public static readonly TimeSpan Freshness = TimeSpan.FromSeconds(2);

    private (MonitoringRules Rules, int Version, DateTimeOffset ReadAt) _current = (new MonitoringRules(), 0, DateTimeOffset.MinValue);

    public async Task<MonitoringRules> CurrentAsync(FinsoftDb db, CancellationToken ct)
    {
        var current = _current;
        var now = time.GetUtcNow();
        if (now - current.ReadAt < Freshness)
        {
            return current.Rules;
        }
        var version = await db.MonitoringRules.AsNoTracking().Select(r => (int?)r.Version).FirstOrDefaultAsync(ct) ?? 0;
        if (version != current.Version)
        {
            var document = await db.MonitoringRules.AsNoTracking().Select(r => r.Document).FirstAsync(ct);
            current = (Parse(document), version, now);
        }
        _current = current with { ReadAt = now };
        return current.Rules;
    }

    /// <summary>Forgets what was read, so the next batch reads the rules again (after a change on this node).</summary>
    public void Invalidate() => _current = _current with { ReadAt = DateTimeOffset.MinValue };

    public static MonitoringRules Parse(string document) => JsonSerializer.Deserialize<MonitoringRules>(document, Json.Options) ?? new MonitoringRules();
}
