using System.Diagnostics;
using System.Net;
using Finsoft.Api.Tests.Infrastructure;
using OpenTelemetry.Trace;

namespace Finsoft.Api.Tests;

/// <summary>The spans of a request, its database commands and the engine batch that served it, seen by OpenTelemetry's in-memory exporter.</summary>
public sealed class TracingTests : IPostgresTests
{
    [DbFact]
    public async Task A_request_span_carries_its_database_commands_and_the_engine_batch_span_links_to_it()
    {
        var spans = new SpanLog();
        await using var app = await TestApp.StartAsync(DatabaseKind.Postgres, new Dictionary<string, string?> { ["Finsoft:Tracing:Enabled"] = "true" },
            services: services => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans)));
        var api = app.Api();
        var admin = await api.AdminAsync();
        var alice = await api.RegisterAsync();
        var from = await api.CreateAccountAsync(alice.Token);
        var to = await api.CreateAccountAsync(alice.Token);
        await api.DepositAsync(admin.Token, from, "10.00");

        using var transfer = await api.TransferAsync(alice.Token, from, to, "1.00", "traced-transfer");
        Assert.Equal(HttpStatusCode.Created, transfer.StatusCode);
        var (transferTrace, transferSpan) = TraceParentOf(transfer);
        using var read = await api.SendAsync(HttpMethod.Get, $"/api/v1/accounts/{from}", token: alice.Token);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        var (readTrace, readSpan) = TraceParentOf(read);

        // A request's span ends after its response is written: wait for both.
        Activity[] seen = [];
        for (var i = 0; i < 100 && !(seen.Any(s => s.SpanId == transferSpan) && seen.Any(s => s.SpanId == readSpan)); i++)
        {
            await Task.Delay(50);
            seen = spans.Snapshot();
        }
        var request = Assert.Single(seen, s => s.TraceId == transferTrace && s.SpanId == transferSpan);
        Assert.Equal(ActivityKind.Server, request.Kind);
        Assert.Equal("/api/v1/transactions/transfer", request.GetTagItem("http.route"));
        Assert.Equal(201, request.GetTagItem("http.response.status_code"));

        var batch = Assert.Single(seen, s => s.Source.Name == "Finsoft.Engine" && s.Links.Any(l => l.Context.TraceId == transferTrace && l.Context.SpanId == transferSpan));
        Assert.NotEqual(transferTrace, batch.TraceId); // a root of its own, serving many requests
        Assert.True((int)batch.GetTagItem("finsoft.batch.orders")! >= 1);
        Assert.Contains(seen, s => IsPostgresCommand(s) && s.ParentSpanId == batch.SpanId); // the batch's own statements

        Assert.Contains(seen, s => s.SpanId == readSpan && s.Kind == ActivityKind.Server);
        Assert.Contains(seen, s => IsPostgresCommand(s) && s.TraceId == readTrace && s.GetTagItem("db.query.text") is string sql && sql.Contains("accounts", StringComparison.Ordinal));
    }

    private static bool IsPostgresCommand(Activity span) => span.Source.Name == "Npgsql" && span.GetTagItem("db.system.name") is "postgresql";

    /// <summary>The W3C traceparent the response carries: version 00, trace id, span id, flags.</summary>
    private static (ActivityTraceId Trace, ActivitySpanId Span) TraceParentOf(HttpResponseMessage response)
    {
        var parts = response.Headers.GetValues("traceparent").Single().Split('-');
        Assert.Equal(4, parts.Length);
        Assert.Equal("00", parts[0]);
        return (ActivityTraceId.CreateFromString(parts[1]), ActivitySpanId.CreateFromString(parts[2]));
    }

    /// <summary>What the exporter hands over, from request threads, read safely by the test meanwhile.</summary>
    private sealed class SpanLog : System.Collections.ObjectModel.Collection<Activity>
    {
        public Activity[] Snapshot()
        {
            lock (Items)
            {
                return [.. Items];
            }
        }

        protected override void InsertItem(int index, Activity item)
        {
            lock (Items)
            {
                base.InsertItem(index, item);
            }
        }
    }
}
