namespace Windmill.Jobs.Api.Infrastructure;

/// <summary>Store errors that mean bad input rather than a fault.</summary>
public static class DbErrors
{
    /// <summary>A row with this key exists already (a concurrent create won the race).</summary>
    public static bool IsUniqueViolation(DbUpdateException e) => e.InnerException is Npgsql.PostgresException { SqlState: "23505" };
}
