namespace Windmill.Jobs.Api.Infrastructure;

/// <summary>The body of the <c>delete_bulk</c> routes: <c>{"paths": [...]}</c>.</summary>
public sealed record PathList(string[] Paths)
{
    [JsonRequired] public string[] Paths { get; init; } = Paths;
}
