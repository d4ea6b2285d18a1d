using System.Net.Http.Headers;

/// <summary>
/// What every bench program is given: a mode, then <c>--name value</c> options, among them <c>--base-url</c> (a
/// loopback API only: benchmarks never target another machine), <c>--token</c> and <c>--database</c>.
/// </summary>
public sealed class BenchArgs
{
    public string Mode { get; }
    public Dictionary<string, string> Options { get; }
    public string BaseUrl { get; }

    /// <summary><c>--database</c>: an Npgsql connection string to the store, for reading what the API does not show.</summary>
    public string Database => Options["database"];

    /// <summary>A fresh workspace id for one run, so runs never see each other's jobs.</summary>
    public static string NewWorkspaceId(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..6];

    private BenchArgs(string mode, Dictionary<string, string> options)
    {
        Mode = mode;
        Options = options;
        BaseUrl = options.GetValueOrDefault("base-url", "http://127.0.0.1:8000");
        if (!new Uri(BaseUrl).IsLoopback) throw new ArgumentException("benchmarks only target loopback addresses");
    }

    public static BenchArgs Parse(string[] args) => new(args[0],
        args.Skip(1).Select((a, i) => (a, i)).Where(x => x.a.StartsWith("--")).ToDictionary(x => x.a[2..], x => args[x.i + 2]));

    /// <summary>A client of the API's <c>/api/</c> routes, authorized with <c>--token</c>.</summary>
    public HttpClient ApiClient(int maxConnections, TimeSpan timeout)
    {
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = maxConnections, UseCookies = false })
        {
            BaseAddress = new Uri(BaseUrl + "/api/"), Timeout = timeout,
        };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Options["token"]);
        return http;
    }
}
