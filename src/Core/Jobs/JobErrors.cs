using System.Text.Json.Nodes;

namespace Windmill.Jobs.Core.Jobs;

/// <summary>Windmill's error result shape (spec 6.7): <c>{"error": {"message", "name", ...}}</c>.</summary>
public static class JobErrors
{
    public static string Json(string message, string name, string? reason = null, string? canceler = null)
    {
        var error = new JsonObject { ["message"] = message, ["name"] = name };
        if (reason is not null || canceler is not null)
        {
            error["reason"] = reason;
            error["canceler"] = canceler;
        }
        return new JsonObject { ["error"] = error }.ToJsonString();
    }

    public static string Canceled(string reason, string by) =>
        Json($"Job canceled: {reason} by {by}", "Canceled", reason, by);
}
