using Finsoft.Api.Host;
using Finsoft.Api.MoneyPath.Outbox;

namespace Finsoft.Api.Features.Webhooks;

public static class WebhookServices
{
    /// <summary>The outbox consumer that queues deliveries, and the sender with its guarded HTTP client (no redirects, no proxy, public addresses only).</summary>
    public static IServiceCollection AddWebhooks(this IServiceCollection services, WebhookOptions options)
    {
        services.AddSingleton<IEventConsumer, WebhookFanOut>();
        services.AddHttpClient(WebhookSender.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(options.TimeoutSeconds))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                ConnectCallback = TargetGuard.Connect(options.AllowPrivateTargets), AllowAutoRedirect = false, UseProxy = false,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            });
        services.AddHostedService<WebhookSender>();
        return services;
    }
}
