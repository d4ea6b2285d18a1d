namespace Windmill.Jobs.IntegrationTests;

/// <summary>Flow modules for tests.</summary>
public static class FlowSteps
{
    /// <summary>An inline script step (OpenFlow <c>rawscript</c>); no tag means the language's default.</summary>
    public static object RawScript(string id, string language, string content, string? tag = null, object? inputs = null) =>
        new { id, value = new { type = "rawscript", language, content, tag, input_transforms = inputs ?? new { } } };
}
