using System.Globalization;
using System.Net;
using Finsoft.Api.Tests.Infrastructure;

namespace Finsoft.Api.Tests;

/// <summary>The metrics port, scraped by a real Prometheus server.</summary>
public sealed class MetricsTests
{
    [ToolFact("prometheus")]
    public async Task Prometheus_scrapes_the_metrics_port_and_counts_the_transfers_made_while_the_api_port_shows_no_metrics()
    {
        var metricsPort = ApiProcess.FreePort();
        var data = Scratch.NewDirectory("metrics");
        using var node = new ApiProcess(new Dictionary<string, string>
        {
            ["Finsoft__DataDirectory"] = data, ["Finsoft__Database__Provider"] = "Sqlite", ["Finsoft__Jwt__SigningKey"] = new string('m', 48),
            ["Finsoft__Bootstrap__AdminEmail"] = TestApp.AdminEmail, ["Finsoft__Bootstrap__AdminPassword"] = TestApp.AdminPassword,
            ["Finsoft__Metrics__Port"] = metricsPort.ToString(CultureInfo.InvariantCulture), // on every interface, as by default
        });
        await node.StartAsync();
        using var http = new HttpClient { BaseAddress = node.BaseAddress };
        var api = new ApiClient(http);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/metrics")).StatusCode);

        var admin = await api.AdminAsync();
        var alice = await api.RegisterAsync();
        var bob = await api.RegisterAsync();
        var from = await api.CreateAccountAsync(alice.Token);
        var to = await api.CreateAccountAsync(bob.Token);
        await api.DepositAsync(admin.Token, from, "100.00");
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await api.TransferAsync(alice.Token, from, to, "2.50", $"metrics-{i}")).StatusCode);
        }
        Assert.Equal(HttpStatusCode.Created, (await api.TransferAsync(alice.Token, from, to, "2.50", "metrics-0")).StatusCode); // a replay

        using var prometheus = PrometheusServer.Start(Scratch.NewDirectory("prometheus"), $"127.0.0.1:{metricsPort}");
        Assert.Equal(3, await prometheus.WaitForValueAsync("""sum(finsoft_money_movements_total{type="transfer",currency="MXN"})""", 3));
        Assert.Equal(750, await prometheus.WaitForValueAsync("""sum(finsoft_money_amount_total{type="transfer",currency="MXN"})""", 750));
        Assert.Equal(1, await prometheus.WaitForValueAsync("""sum(finsoft_idempotency_replays_total{outcome="replayed"})""", 1));
        Assert.True(await prometheus.WaitForValueAsync(
            """sum(http_server_request_duration_seconds_count{http_route="/api/v1/transactions/transfer",http_request_method="POST",http_response_status_code="201"})""", 4) >= 4);
        Assert.True(await prometheus.WaitForValueAsync("sum(finsoft_engine_batch_orders_count)", 4) >= 4);
        Assert.True(await prometheus.WaitForValueAsync("sum(dotnet_gc_heap_total_allocated_bytes_total)", 1) >= 1);
        Assert.True(await prometheus.WaitForValueAsync("count(finsoft_engine_queue_depth)", 1) >= 1);
        Scratch.TryDelete(data);
    }
}
