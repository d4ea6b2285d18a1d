namespace Windmill.Jobs.Core.Config;

/// <summary>Turns Windmill's URL-style settings into what the .NET clients take.</summary>
public static class ConnectionUrls
{
    /// <summary><c>postgres://user:pass@host:port/db?sslmode=...</c> → an Npgsql connection string.</summary>
    public static string PostgresToNpgsql(string url, string applicationName)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("postgres" or "postgresql"))
            throw new FormatException("must look like postgres://user:password@host:port/database");
        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        var parts = new List<string>
        {
            $"Host={uri.Host}",
            $"Port={(uri.Port > 0 ? uri.Port : 5432)}",
            $"Database={(database.Length > 0 ? database : "windmill")}",
            $"Application Name={applicationName}",
            // Hot statements are prepared once per connection; nothing relies on session state, so the
            // pool need not send DISCARD ALL (which would also drop the prepared statements).
            "Max Auto Prepare=64",
            "Auto Prepare Min Usages=2",
            "No Reset On Close=true",
        };
        var userInfo = uri.UserInfo.Split(':', 2);
        if (userInfo[0].Length > 0) parts.Add($"Username={Quote(Uri.UnescapeDataString(userInfo[0]))}");
        if (userInfo.Length == 2) parts.Add($"Password={Quote(Uri.UnescapeDataString(userInfo[1]))}");
        foreach (var (key, value) in Query(uri))
        {
            if (key == "sslmode") parts.Add($"SSL Mode={value switch { "disable" => "Disable", "require" => "Require", "verify-ca" => "VerifyCA", "verify-full" => "VerifyFull", _ => "Prefer" }}");
            else if (key == "pool_max") parts.Add($"Maximum Pool Size={value}");
        }
        return string.Join(';', parts);
    }

    /// <summary><c>redis://[:password@]host:port[/db]</c> → a StackExchange.Redis configuration string.</summary>
    public static string RedisToConfiguration(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("redis" or "rediss"))
            throw new FormatException("must look like redis://host:port");
        var parts = new List<string> { $"{uri.Host}:{(uri.Port > 0 ? uri.Port : 6379)}", "abortConnect=false" };
        var userInfo = uri.UserInfo.Split(':', 2);
        if (userInfo.Length == 2 && userInfo[1].Length > 0) parts.Add($"password={Uri.UnescapeDataString(userInfo[1])}");
        if (uri.Scheme == "rediss") parts.Add("ssl=true");
        if (int.TryParse(uri.AbsolutePath.TrimStart('/'), out var db)) parts.Add($"defaultDatabase={db}");
        return string.Join(',', parts);
    }

    private static string Quote(string s) => s.Contains(';') || s.Contains('\'') ? "'" + s.Replace("'", "''") + "'" : s;

    private static IEnumerable<(string, string)> Query(Uri uri) =>
        uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(kv => kv.Split('=', 2))
            .Select(kv => (Uri.UnescapeDataString(kv[0]), kv.Length > 1 ? Uri.UnescapeDataString(kv[1]) : ""));
}
