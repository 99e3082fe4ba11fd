using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Ledger;

namespace Finsoft.Api.MoneyPath.Engine;

/// <summary>Orders the platform gives itself (bank answers, hold expiry): no initiator, no key; the answer only says whether it applied.</summary>
public static class PlatformOrder
{
    public static MoneyOrder Of(MoneyCommand command) => new(command, outcome => outcome switch
    {
        MoneyOutcome.Refused refused => refused.Error.ToProblem(),
        _ => ApiResults.Ok(new { applied = true }),
    });
}
