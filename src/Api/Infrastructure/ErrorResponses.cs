using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Windmill.Jobs.Api.Infrastructure;

/// <summary>
/// Turns exceptions into Windmill's error responses: plain text with the error's display prefix and its
/// status code. A backing service that is away is a 503 (<see cref="Unavailability"/>). Unexpected errors are
/// logged and answered with a generic 500 that leaks nothing.
/// </summary>
public sealed class ErrorResponses(RequestDelegate next, ILogger<ErrorResponses> log)
{
    public async Task InvokeAsync(HttpContext ctx)
    {
        // Kestrel's own 413 has no body; say what the limit is when the declared size is already too big.
        var sizeLimit = ctx.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>();
        if (ctx.GetEndpoint()?.Metadata.GetMetadata<UnlimitedRequestBody>() is not null && sizeLimit is { IsReadOnly: false })
            sizeLimit.MaxRequestBodySize = null;
        var limit = sizeLimit?.MaxRequestBodySize;
        if (ctx.Request.ContentLength > limit)
        {
            await Write(ctx, 413, $"Payload too large: the request body is {ctx.Request.ContentLength} bytes; the limit is {limit} bytes");
            return;
        }
        try
        {
            await next(ctx);
        }
        catch (WindmillError e)
        {
            await Write(ctx, e.StatusCode, e.DisplayText);
        }
        catch (BadHttpRequestException e)
        {
            var status = e.StatusCode == StatusCodes.Status413PayloadTooLarge ? 413 : 400;
            await Write(ctx, status, (status == 413 ? "Payload too large: " : "Bad request: ") + Describe(e));
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nothing to answer.
        }
        catch (Exception e) when (Unavailability.ServiceOf(e) is { } service)
        {
            log.LogWarning("{Method} {Path}: {Service} cannot be reached ({Error})", ctx.Request.Method, ctx.Request.Path, service, e.Message);
            await Write(ctx, 503, $"Service unavailable: {service} cannot be reached; retry shortly", retryAfterSeconds: 5);
        }
        catch (Exception e)
        {
            log.LogError(e, "unhandled error on {Method} {Path}", ctx.Request.Method, ctx.Request.Path);
            await Write(ctx, 500, $"Internal: unexpected error (trace id {ctx.TraceIdentifier})");
        }
    }

    private static string Describe(BadHttpRequestException e) => e.InnerException switch
    {
        JsonException j => "invalid JSON body: " + j.Message,
        BadHttpRequestException inner => Describe(inner),
        _ when e.Message.Contains("Implicit body inferred") || e.Message.Contains("body was not provided") => "a JSON body is required",
        _ => e.Message,
    };

    private static async Task Write(HttpContext ctx, int status, string text, int? retryAfterSeconds = null)
    {
        if (ctx.Response.HasStarted) return;
        ctx.Response.Clear();
        ctx.Response.StatusCode = status;
        if (retryAfterSeconds is { } retry) ctx.Response.Headers.RetryAfter = retry.ToString();
        ctx.Response.ContentType = "text/plain; charset=utf-8";
        await ctx.Response.WriteAsync(text);
    }
}
