using System.Diagnostics;
using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace Windmill.Jobs.UnitTests.Helm;

/// <summary>
/// Renders <c>deploy/helm</c> with representative values through the real <c>helm template</c> (installed by
/// scripts/services.sh) and checks the manifests an operator would apply.
/// </summary>
public class HelmChartTests
{
    private static readonly string Root = FindRoot();
    private static readonly Lazy<List<JsonObject>> Manifests = new(Render);

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Windmill.Jobs.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }

    private static List<JsonObject> Render()
    {
        var helm = Path.Combine(Root, ".tools", "helm", "helm");
        if (!File.Exists(helm)) throw new InvalidOperationException($"{helm} is missing: run `bash scripts/services.sh install`");
        var values = Path.Combine(AppContext.BaseDirectory, "Helm", "representative-values.yaml");
        using var p = Process.Start(new ProcessStartInfo(helm, ["template", "prod", Path.Combine(Root, "deploy", "helm"), "-f", values])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        })!;
        var output = p.StandardOutput.ReadToEnd();
        var errors = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, errors);
        var stream = new YamlStream();
        stream.Load(new StringReader(output)); // throws on invalid YAML
        return [.. stream.Documents.Where(d => d.RootNode is YamlMappingNode).Select(d => (JsonObject)ToJson(d.RootNode)!)];
    }

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode m => new JsonObject(m.Children.Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, ToJson(c.Value)))),
        YamlSequenceNode s => new JsonArray([.. s.Children.Select(ToJson)]),
        YamlScalarNode v => v.Value is null ? null : JsonValue.Create(v.Value),
        _ => null,
    };

    private static IEnumerable<JsonObject> OfKind(string kind) => Manifests.Value.Where(m => (string?)m["kind"] == kind);

    private static JsonObject Named(string kind, string name) => OfKind(kind).Single(m => (string?)m["metadata"]!["name"] == name);

    private static JsonNode Container(JsonObject deployment) => deployment["spec"]!["template"]!["spec"]!["containers"]![0]!;

    private static string? Env(JsonNode container, string name) =>
        container["env"]!.AsArray().SingleOrDefault(e => (string?)e!["name"] == name) is { } e ? e["value"]?.ToString() ?? "(from " + e["valueFrom"]!.ToJsonString() + ")" : null;

    [Fact]
    public void The_chart_renders_the_expected_kinds()
    {
        var kinds = Manifests.Value.GroupBy(m => (string)m["kind"]!).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(new Dictionary<string, int>
        {
            ["Secret"] = 1, ["ConfigMap"] = 1, ["Service"] = 1, ["Deployment"] = 4, ["HorizontalPodAutoscaler"] = 2, ["ScaledObject"] = 1,
        }, kinds);
    }

    [Fact]
    public void Every_worker_group_is_a_deployment_serving_its_tags_with_probes_and_settings()
    {
        foreach (var (group, tags, port) in new[] { ("general", "python3,bash,flow", "8001"), ("duckdb", "duckdb", "9100"), ("sql", "postgresql,mysql", "8001") })
        {
            var d = Named("Deployment", "prod-windmill-jobs-worker-" + group);
            var c = Container(d);
            Assert.Equal(tags, Env(c, "WORKER_TAGS"));
            Assert.Equal(port, Env(c, "WORKER_HTTP_PORT"));
            Assert.Equal(port, c["ports"]![0]!["containerPort"]!.ToString());
            Assert.Equal("/healthz", c["livenessProbe"]!["httpGet"]!["path"]!.ToString());
            Assert.Equal("/readyz", c["readinessProbe"]!["httpGet"]!["path"]!.ToString());
            Assert.Equal("45", Env(c, "SHUTDOWN_GRACE_PERIOD"));
            Assert.Equal("65", d["spec"]!["template"]!["spec"]!["terminationGracePeriodSeconds"]!.ToString()); // grace + 20 s
            Assert.Contains("secretKeyRef", Env(c, "DATABASE_URL"));
            Assert.Equal("prod-windmill-jobs", c["envFrom"]![0]!["configMapRef"]!["name"]!.ToString());
            Assert.Equal("registry.example/wmj-worker:1.2.3", c["image"]!.ToString());
        }
        Assert.Equal("6GB", Env(Container(Named("Deployment", "prod-windmill-jobs-worker-duckdb")), "DUCKDB_MEMORY_LIMIT"));
        Assert.Equal("2", Env(Container(Named("Deployment", "prod-windmill-jobs-worker-duckdb")), "NUM_WORKERS"));
        Assert.Equal("600", Env(Container(Named("Deployment", "prod-windmill-jobs-worker-sql")), "TIMEOUT"));
        // Autoscaled groups leave the replica count to their autoscaler; the fixed one sets it.
        Assert.Null(Named("Deployment", "prod-windmill-jobs-worker-general")["spec"]!["replicas"]);
        Assert.Null(Named("Deployment", "prod-windmill-jobs-worker-duckdb")["spec"]!["replicas"]);
        Assert.Equal("3", Named("Deployment", "prod-windmill-jobs-worker-sql")["spec"]!["replicas"]!.ToString());
    }

    [Fact]
    public void Autoscalers_target_their_deployments()
    {
        var keda = Named("ScaledObject", "prod-windmill-jobs-worker-duckdb");
        Assert.Equal("prod-windmill-jobs-worker-duckdb", keda["spec"]!["scaleTargetRef"]!["name"]!.ToString());
        var trigger = Assert.Single(keda["spec"]!["triggers"]!.AsArray())!;
        Assert.Equal(("rabbitmq", "jobs.duckdb", "4", "RABBITMQ_URL"), (trigger["type"]!.ToString(), trigger["metadata"]!["queueName"]!.ToString(),
            trigger["metadata"]!["value"]!.ToString(), trigger["metadata"]!["hostFromEnv"]!.ToString()));
        var workers = Named("HorizontalPodAutoscaler", "prod-windmill-jobs-worker-general");
        Assert.Equal(("2", "8"), (workers["spec"]!["minReplicas"]!.ToString(), workers["spec"]!["maxReplicas"]!.ToString()));
        var api = Named("HorizontalPodAutoscaler", "prod-windmill-jobs-api");
        Assert.Equal("prod-windmill-jobs-api", api["spec"]!["scaleTargetRef"]!["name"]!.ToString());
    }

    [Fact]
    public void Api_settings_secrets_and_telemetry_are_wired()
    {
        var secret = Named("Secret", "prod-windmill-jobs")["stringData"]!;
        Assert.Equal("postgres://wm:secret@pg.internal:5432/windmill", secret["DATABASE_URL"]!.ToString());
        Assert.Equal("a-long-superadmin-secret-000", secret["SUPERADMIN_SECRET"]!.ToString());
        var config = Named("ConfigMap", "prod-windmill-jobs")["data"]!.AsObject();
        foreach (var key in new[] { "BASE_INTERNAL_URL", "TIMEOUT", "ZOMBIE_JOB_TIMEOUT", "ZOMBIE_JOB_RESTART_LIMIT", "RECOVERY_INTERVAL",
                     "TIMEOUT_WAIT_RESULT", "AUTH_CACHE_SECONDS", "ASSET_JOB_USAGES_KEPT" })
            Assert.True(config.ContainsKey(key), key);
        Assert.Equal("http://otel-collector:4318", config["OTEL_EXPORTER_OTLP_ENDPOINT"]!.ToString());
        Assert.Equal("http/protobuf", config["OTEL_EXPORTER_OTLP_PROTOCOL"]!.ToString());
        Assert.Equal("json", config["LOG_FORMAT"]!.ToString());
        Assert.Equal("http://prod-windmill-jobs-api:8000", config["BASE_INTERNAL_URL"]!.ToString());
        var api = Container(Named("Deployment", "prod-windmill-jobs-api"));
        Assert.Equal("/readyz", api["readinessProbe"]!["httpGet"]!["path"]!.ToString());
        Assert.Contains("SUPERADMIN_SECRET", Env(api, "SUPERADMIN_SECRET"));
        var annotations = Named("Deployment", "prod-windmill-jobs-api")["spec"]!["template"]!["metadata"]!["annotations"]!;
        Assert.Equal("true", annotations["prometheus.io/scrape"]!.ToString());
    }
}
