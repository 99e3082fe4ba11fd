using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using StandardWebhooks;
using StandardWebhooks.Diagnostics;

namespace Finsoft.Api.Tests.Infrastructure;

/// <summary>
/// A customer's webhook receiver on a loopback port. It checks every delivery's signature with the
/// StandardWebhooks package (an implementation that is not Finsoft's) against each secret it knows, and
/// answers with whatever status the test sets.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    public sealed record Delivery(string MessageId, string Type, long Position, JsonElement Data, IReadOnlyList<int> VerifiedBy, int Answered);

    private readonly WebApplication _app;

    private WebhookReceiver(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    public Uri Url { get; }

    /// <summary>The secrets to verify with; a delivery records the indexes of those its signature matched.</summary>
    public List<string> Secrets { get; } = [];

    /// <summary>The status to answer each request with (200 unless told otherwise).</summary>
    public Func<int> Answer { get; set; } = () => 200;

    public ConcurrentQueue<Delivery> Received { get; } = new();

    public IEnumerable<Delivery> Accepted => Received.Where(d => d.Answered is >= 200 and < 300);

    public static async Task<WebhookReceiver> StartAsync()
    {
        var port = ApiProcess.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var receiver = new WebhookReceiver(app, new Uri($"http://127.0.0.1:{port}/hook"));
        app.MapPost("/hook", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            var body = await reader.ReadToEndAsync();
            var verified = receiver.Secrets.Select((secret, i) => Verifies(secret, body, request.Headers) ? i : -1).Where(i => i >= 0).ToList();
            var json = JsonDocument.Parse(body).RootElement.Clone();
            var status = receiver.Answer();
            receiver.Received.Enqueue(new Delivery(request.Headers["webhook-id"].ToString(), json.GetProperty("type").GetString()!,
                json.GetProperty("position").GetInt64(), json.GetProperty("data"), verified, status));
            return Results.StatusCode(status);
        });
        await app.StartAsync();
        return receiver;
    }

    /// <summary>
    /// Whether any of the space-separated signatures verifies with the secret. Each is handed to the package on
    /// its own: its Verify (1.1.2) looks only at the first signature of a list.
    /// </summary>
    private static bool Verifies(string secret, string body, IHeaderDictionary headers) =>
        headers["webhook-signature"].ToString().Split(' ').Any(signature =>
        {
            try
            {
                new StandardWebhook(secret).Verify(body, new HeaderDictionary
                {
                    ["webhook-id"] = headers["webhook-id"], ["webhook-timestamp"] = headers["webhook-timestamp"], ["webhook-signature"] = signature,
                });
                return true;
            }
            catch (WebhookVerificationException)
            {
                return false;
            }
        });

    public async Task WaitForAsync(Func<WebhookReceiver, bool> condition, string what)
    {
        for (var i = 0; i < 400; i++)
        {
            if (condition(this))
            {
                return;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"The receiver never saw {what}; it got {Received.Count} requests");
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
