namespace Windmill.Jobs.Api.Infrastructure;

/// <summary>Response helpers for Windmill's content types: text bodies and raw JSON.</summary>
public static class Replies
{
    public static IResult Text(string text, int status = 200) =>
        Results.Text(text, "text/plain; charset=utf-8", System.Text.Encoding.UTF8, status);

    public static IResult Created(string text) => Text(text, StatusCodes.Status201Created);

    /// <summary>A JSON document that is already serialized, e.g. a jsonb column read as text.</summary>
    public static IResult RawJson(string json) =>
        Results.Text(json, "application/json", System.Text.Encoding.UTF8);
}
