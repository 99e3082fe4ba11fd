using Microsoft.AspNetCore.Http.Features;

namespace Finsoft.Api.Infrastructure.Http;

/// <summary>An endpoint that takes bodies larger than the usual limit (a watch list file).</summary>
public sealed record LargeBody(long Bytes);

/// <summary>
/// Refuses oversize bodies with 413 before anything reads them. Kestrel enforces the same limit on
/// streamed bodies; this also covers hosts that have no such limit (the in-memory test server).
/// </summary>
public sealed class BodySizeLimit(RequestDelegate next, long usualMaxBytes)
{
    public Task InvokeAsync(HttpContext context)
    {
        var maxBytes = context.GetEndpoint()?.Metadata.GetMetadata<LargeBody>()?.Bytes ?? usualMaxBytes;
        if (context.Request.ContentLength > maxBytes)
        {
            return ApiResults.WriteProblemAsync(context, StatusCodes.Status413PayloadTooLarge, $"Request body is larger than {maxBytes} bytes.");
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = maxBytes;
        }
        return next(context);
    }
}
