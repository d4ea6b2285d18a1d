namespace Windmill.Jobs.Core.Errors;

/// <summary>The error kinds a client can see, with Windmill's status codes and display prefixes.</summary>
public enum ErrorKind
{
    NotFound,
    NotAuthorized,
    PermissionDenied,
    RequireAdmin,
    BadRequest,
    PayloadTooLarge,
    Internal,
}

/// <summary>
/// An error that reaches the client as plain text with Windmill's prefix, e.g.
/// <c>Not found: Variable u/a/x not found</c>. Messages must never carry secret values.
/// </summary>
public sealed class WindmillError(ErrorKind kind, string message) : Exception(message)
{
    public ErrorKind Kind { get; } = kind;

    public int StatusCode => Kind switch
    {
        ErrorKind.NotFound => 404,
        ErrorKind.NotAuthorized => 401,
        ErrorKind.PermissionDenied => 403,
        ErrorKind.RequireAdmin => 403,
        ErrorKind.BadRequest => 400,
        ErrorKind.PayloadTooLarge => 413,
        _ => 500,
    };

    /// <summary>The body text, as Windmill's error Display prints it.</summary>
    public string DisplayText => Kind switch
    {
        ErrorKind.NotFound => "Not found: " + Message,
        ErrorKind.NotAuthorized => "Not authorized: " + Message,
        ErrorKind.PermissionDenied => "Permission denied: " + Message,
        ErrorKind.RequireAdmin => "Require Admin privileges for " + Message,
        ErrorKind.BadRequest => "Bad request: " + Message,
        ErrorKind.PayloadTooLarge => "Payload too large: " + Message,
        _ => "Internal: " + Message,
    };

    public static WindmillError NotFound(string message) => new(ErrorKind.NotFound, message);
    public static WindmillError NotAuthorized(string message) => new(ErrorKind.NotAuthorized, message);
    public static WindmillError PermissionDenied(string message) => new(ErrorKind.PermissionDenied, message);
    public static WindmillError RequireAdmin(string what) => new(ErrorKind.RequireAdmin, what);
    public static WindmillError BadRequest(string message) => new(ErrorKind.BadRequest, message);
    public static WindmillError TooLarge(string message) => new(ErrorKind.PayloadTooLarge, message);
    public static WindmillError Internal(string message) => new(ErrorKind.Internal, message);
}
