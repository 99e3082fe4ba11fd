using System.Diagnostics;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Finsoft.Api.Host.Observability;

/// <summary>
/// OpenTelemetry for the process. Metrics: Finsoft's meter with ASP.NET Core's (requests by route, method and
/// status, with duration histograms), Kestrel's, Npgsql's (connection pool, command failures) and the runtime's
/// (GC, thread pool), served to Prometheus on `Finsoft:Metrics:Port` only. Traces (when `Finsoft:Tracing:Enabled`
/// or an OTLP endpoint is set): HTTP requests, PostgreSQL commands and engine batches, each batch linked to the
/// requests it served.
/// </summary>
public static class Telemetry
{
    /// <summary>The source of the engine's batch spans.</summary>
    public static readonly ActivitySource Engine = new("Finsoft.Engine");

    public static void AddFinsoftTelemetry(this WebApplicationBuilder builder, FinsoftOptions options)
    {
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (node name, version) still win over this default.
        var telemetry = builder.Services.AddOpenTelemetry().ConfigureResource(resource => resource.AddService("finsoft"));
        if (options.Metrics.Port is { } port)
        {
            if (port is < 1 or > 65535)
            {
                throw new StartupException($"Finsoft:Metrics:Port must be a TCP port, not {port}.");
            }
            telemetry.WithMetrics(metrics => metrics
                .AddMeter(FinsoftMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Npgsql", "System.Runtime")
                .AddPrometheusHttpListener(listener => Listen(listener, options.Metrics.Host, port)));
        }
        if (options.Tracing.Enabled || otlp)
        {
            telemetry.WithTracing(tracing =>
            {
                tracing.AddAspNetCoreInstrumentation()
                    .AddSource("Npgsql", Engine.Name);
                if (otlp)
                {
                    tracing.AddOtlpExporter(); // endpoint, protocol and headers from the standard OTEL_EXPORTER_OTLP_* variables
                }
            });
        }
    }

    private static void Listen(OpenTelemetry.Exporter.PrometheusHttpListenerOptions listener, string host, int port)
    {
        listener.Port = port;
        if (host is not ("*" or "+"))
        {
            listener.Host = host;
            return;
        }
        // The exporter makes its prefix from a host name (a wildcard is not one); HttpListener itself takes `*`.
        listener.ConfigureHttpListener = (_, http) =>
        {
            http.Prefixes.Clear();
            http.Prefixes.Add($"http://{host}:{port}/");
        };
    }

    /// <summary>The request's trace id and span in W3C `traceparent` form, for a client to quote when it reports a problem.</summary>
    public static string? TraceParent(Activity? activity) =>
        activity is null ? null : $"00-{activity.TraceId}-{activity.SpanId}-{(activity.Recorded ? "01" : "00")}";
}
