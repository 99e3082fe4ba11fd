using Finsoft.Api.Infrastructure.Http;
using Finsoft.Api.MoneyPath.Store;
using Finsoft.Ledger;

namespace Finsoft.Api.MoneyPath.Engine;

/// <summary>Commands the platform gives itself (bank answers, hold expiry): no initiator, no key, and the outcome itself as the answer.</summary>
public static class PlatformOrder
{
    /// <summary>Runs the commands as one job (each decided on its own) and returns what happened to each.</summary>
    public static async Task<IReadOnlyList<MoneyOutcome>> RunAsync(this MoneyEngine engine, IReadOnlyList<MoneyCommand> commands, CancellationToken ct)
    {
        var outcomes = new MoneyOutcome[commands.Count];
        var orders = commands.Select((command, i) => new MoneyOrder(command, outcome =>
        {
            outcomes[i] = outcome; // rendered inside the batch, again if the batch is retried: the last decision is the one committed
            return outcome is MoneyOutcome.Refused refused ? refused.Error.ToProblem() : ApiResults.Ok(new { applied = true });
        })).ToList();
        await engine.SubmitAsync(new EngineJob(orders, atomic: false), ct);
        return outcomes;
    }

    /// <summary>One command, with what its feature writes alongside when it is made.</summary>
    public static Task<MoneyOutcome> RunAsync(this MoneyEngine engine, MoneyCommand command, MoneyOrder.FollowUp then, CancellationToken ct) =>
        engine.RunForAsync(command, null, null, then, ct);

    /// <summary>One command that starts a transaction recorded for a user (see <see cref="MoneyOrder.OnBehalfOf"/>), with its follow-up.</summary>
    public static async Task<MoneyOutcome> RunForAsync(this MoneyEngine engine, MoneyCommand command, Guid? onBehalfOf, string? description,
        MoneyOrder.FollowUp then, CancellationToken ct)
    {
        MoneyOutcome? outcome = null;
        var order = new MoneyOrder(command, made =>
        {
            outcome = made;
            return made is MoneyOutcome.Refused refused ? refused.Error.ToProblem() : ApiResults.Ok(new { applied = true });
        }) { Then = then, OnBehalfOf = onBehalfOf, Description = description };
        await engine.SubmitAsync(new EngineJob([order], atomic: false), ct);
        return outcome!;
    }
}
