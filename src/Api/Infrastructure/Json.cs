using System.Text.Json;

namespace Windmill.Jobs.Api.Infrastructure;

/// <summary>Windmill's wire conventions: snake_case names, nulls written out.</summary>
public static class Json
{
    public static void Configure(JsonSerializerOptions o)
    {
        o.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        o.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        o.NumberHandling = JsonNumberHandling.Strict;
    }
}
