using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Windmill.Jobs.Store.Migrations;

// Hand-written migrations (Microsoft.EntityFrameworkCore.Design does not restore here): each one runs
// a versioned SQL file embedded in this assembly. Add a file and a class; never edit an applied one.

[DbContext(typeof(WindmillDb))]
[Migration("0001_foundation")]
public sealed class Foundation : Migration
{
    protected override void Up(MigrationBuilder m) => m.Sql(EmbeddedSql.Read("0001_foundation.sql"));
}

internal static class EmbeddedSql
{
    public static string Read(string file)
    {
        var assembly = typeof(EmbeddedSql).Assembly;
        var name = assembly.GetManifestResourceNames().Single(n => n.EndsWith("." + file, StringComparison.Ordinal));
        using var stream = assembly.GetManifestResourceStream(name)!;
        return new StreamReader(stream).ReadToEnd();
    }
}

[DbContext(typeof(WindmillDb))]
[Migration("0002_jobs")]
public sealed class Jobs : Migration
{
    protected override void Up(MigrationBuilder m) => m.Sql(EmbeddedSql.Read("0002_jobs.sql"));
}

[DbContext(typeof(WindmillDb))]
[Migration("0003_flows")]
public sealed class Flows : Migration
{
    protected override void Up(MigrationBuilder m) => m.Sql(EmbeddedSql.Read("0003_flows.sql"));
}

[DbContext(typeof(WindmillDb))]
[Migration("0004_schedules")]
public sealed class Schedules : Migration
{
    protected override void Up(MigrationBuilder m) => m.Sql(EmbeddedSql.Read("0004_schedules.sql"));
}

[DbContext(typeof(WindmillDb))]
[Migration("0005_storage")]
public sealed class Storage : Migration
{
    protected override void Up(MigrationBuilder m) => m.Sql(EmbeddedSql.Read("0005_storage.sql"));
}

[DbContext(typeof(WindmillDb))]
[Migration("0006_assets")]
public sealed class Assets : Migration
{
    protected override void Up(MigrationBuilder m) => m.Sql(EmbeddedSql.Read("0006_assets.sql"));
}

[DbContext(typeof(WindmillDb))]
[Migration("0007_telemetry")]
public sealed class Telemetry : Migration
{
    protected override void Up(MigrationBuilder m) => m.Sql(EmbeddedSql.Read("0007_telemetry.sql"));
}

[DbContext(typeof(WindmillDb))]
[Migration("0008_flow_state_ledger")]
public sealed class FlowStateLedger : Migration
{
    protected override void Up(MigrationBuilder m) => m.Sql(EmbeddedSql.Read("0008_flow_state_ledger.sql"));
}
