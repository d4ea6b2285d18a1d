using System.Text.Json.Nodes;

namespace Windmill.Jobs.Worker.Execution;

/// <summary>A job that ran and failed: its error becomes the job's result, <c>{"error": {message, name, stack?}}</c>.</summary>
public sealed class JobFailure(string message, string name = "ExecutionErr", string? stack = null) : Exception(message)
{
    public string Name { get; } = name;
    public string? Stack { get; } = stack;

    public string ToResultJson()
    {
        var error = new JsonObject { ["message"] = Message, ["name"] = Name };
        if (Stack is not null) error["stack"] = Stack;
        return new JsonObject { ["error"] = error }.ToJsonString();
    }
}
