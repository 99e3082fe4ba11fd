using Finsoft.Ledger.Monitoring;

namespace Finsoft.Api.MoneyPath.Monitoring;

/// <summary>Risk levels as stored and shown: `low`, `medium`, `high`.</summary>
public static class CustomerRiskLevels
{
    public static RiskLevel Parse(string text) => text switch
    {
        "medium" => RiskLevel.Medium,
        "high" => RiskLevel.High,
        _ => RiskLevel.Low,
    };

    public static string Wire(RiskLevel level) => level.ToString().ToLowerInvariant();
}
