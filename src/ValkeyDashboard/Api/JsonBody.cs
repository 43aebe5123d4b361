using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ValkeyDashboard.Api;

/// <summary>
/// Reads every JSON request body of the API the same way: JSON only (415 otherwise), at most
/// <see cref="MaxBytes"/> (413, also when sent chunked), and a 400 that names the field with a value of the wrong type
/// and shows the expected shape (the framework's binder only says "bad request").
/// </summary>
public static class JsonBody
{
    /// <summary>Largest request body the API reads: its requests are a few hundred bytes even with many ranges.</summary>
    public const int MaxBytes = 16 * 1024;

    /// <param name="request">The request.</param>
    /// <param name="shape">The body's shape for messages, e.g. <c>{"slots": "0-99", "targetNodeId": "&lt;40-hex id&gt;"}</c>.</param>
    /// <param name="typeHint">What the wrong-type message adds after the shape, e.g. <c>with both values as strings</c>.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public static async Task<(T? Body, ProblemHttpResult? Problem)> ReadAsync<T>(HttpRequest request, string shape, string typeHint, CancellationToken cancellationToken)
        where T : class
    {
        if (!request.HasJsonContentType())
        {
            return (null, TypedResults.Problem(detail: $"the body must be JSON (Content-Type: application/json) like {shape}",
                statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type"));
        }

        if (request.ContentLength > MaxBytes)
        {
            return (null, TooLarge(request.ContentLength.Value, shape));
        }

        // Also for bodies sent without a length (chunked): reading stops at the limit.
        if (request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBytes;
        }

        try
        {
            var body = await JsonSerializer.DeserializeAsync<T>(request.Body, JsonSerializerOptions.Web, cancellationToken);
            return body is null
                ? (null, BadBody($"the body is empty or null; expected {shape}"))
                : (body, null);
        }
        catch (JsonException ex) when (ex.Path is { Length: > 1 } path)
        {
            // A value of the wrong type: name the field instead of .NET's type names.
            return (null, BadBody($"{path.TrimStart('$', '.')} has a value of the wrong type; expected {shape} {typeHint}".TrimEnd()));
        }
        catch (JsonException ex)
        {
            return (null, BadBody($"the body is not valid JSON: {ex.Message}"));
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge(null, shape));
        }
    }

    public static ProblemHttpResult BadBody(string detail) =>
        TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status400BadRequest, title: "Invalid request body");

    private static ProblemHttpResult TooLarge(long? length, string shape) =>
        TypedResults.Problem(
            detail: $"the body{(length is { } bytes ? $" is {bytes:N0} bytes; it" : string.Empty)} must be at most {MaxBytes:N0} bytes (a request is {shape})",
            statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large");
}
