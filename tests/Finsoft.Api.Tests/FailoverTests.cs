using Finsoft.Api.Infrastructure.Persistence;
using Finsoft.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Xunit.Abstractions;

namespace Finsoft.Api.Tests;

/// <summary>
/// Losing the primary: a real primary with a synchronous standby (PostgreSQL's own streaming replication), two API
/// processes on a multi-host connection string that accepts only a primary, keyed transfers and withdrawals in flight.
/// The primary is killed with SIGKILL (postmaster and backends, as when its machine is lost) and the standby promoted;
/// the nodes find the new primary on their own, requests in between answer 503 with Retry-After, keyed retries
/// complete, and the new primary holds every acknowledged movement exactly once.
/// </summary>
public sealed class FailoverTests(ITestOutputHelper output) : IPostgresTests
{
    private const int Transfers = 300;
    private const int Withdrawals = 20;

    [DbFact]
    public async Task Killing_the_primary_and_promoting_its_synchronous_standby_loses_no_acknowledged_movement()
    {
        var (primary, standby) = PostgresServer.StartPrimaryAndStandby(synchronous: true);
        using var _ = primary;
        using var __ = standby;
        var database = await primary.CreateDatabaseAsync();
        var connection = new NpgsqlConnectionStringBuilder(primary.ConnectionString(database))
        {
            Host = $"127.0.0.1:{primary.Port},127.0.0.1:{standby.Port}",
            TargetSessionAttributes = "primary",
            // How long a node trusts what it learnt about a host: after the promotion it must look again soon.
            HostRecheckSeconds = 1,
            Timeout = 5,
        }.ToString();
        var environment = ApiProcess.NodeEnvironment(DatabaseKind.Postgres, Scratch.NewPath("failover"));
        environment["ConnectionStrings__Finsoft"] = connection;

        var nodes = new[] { new ApiProcess(environment), new ApiProcess(environment) };
        try
        {
            foreach (var node in nodes)
            {
                await node.StartAsync();
            }
            var workload = new KeyedMoneyWorkload(Transfers, Withdrawals, "failover");
            await workload.SetUpAsync(nodes[0].BaseAddress);
            await workload.RunAsync([.. nodes.Select(n => n.BaseAddress)], async () =>
            {
                await workload.WaitForAnswersAsync(Transfers / 3);
                workload.MarkDisruption();
                primary.Kill();
                // What a failover manager does once it has seen the primary gone: promote the standby.
                await Task.Delay(1000);
                standby.Promote();
            });

            var dbOptions = new DbContextOptionsBuilder<FinsoftDb>().UseNpgsql(standby.ConnectionString(database)).Options;
            await workload.AssertNothingLostAsync(dbOptions, nodes[1].BaseAddress);
            Assert.True(workload.Unavailable + workload.Interrupted > 0, "the failover interrupted no request, so it proved nothing");
            var outage = workload.WriteOutage ?? throw new InvalidOperationException("no write was acknowledged after the primary died");
            output.WriteLine($"Clients could not write for {outage.TotalSeconds:0.00} s (the standby was promoted 1 s after the kill); " +
                $"{workload.Unavailable} answers were 503, {workload.Interrupted} requests were cut off, {workload.Acknowledged} transfers acknowledged.");
        }
        finally
        {
            foreach (var node in nodes)
            {
                node.Dispose();
                node.WriteOutputTo(output);
            }
        }
    }
}
