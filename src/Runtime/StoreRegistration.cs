using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Windmill.Jobs.Store;

namespace Windmill.Jobs.Runtime;

public static class StoreRegistration
{
    /// <summary>One Npgsql data source for raw SQL, and a pooled <see cref="WindmillDb"/> on top of it.</summary>
    public static IServiceCollection AddWindmillStore(this IServiceCollection services, ServiceSettings settings)
    {
        var dataSource = new NpgsqlDataSourceBuilder(settings.NpgsqlConnectionString).Build();
        services.AddSingleton(dataSource);
        services.AddDbContextPool<WindmillDb>(o => Configure(o, dataSource));
        services.AddSingleton(Configure(new DbContextOptionsBuilder<WindmillDb>(), dataSource).Options);
        services.AddSingleton<StoreSetup>();
        return services;
    }

    // Migrations are hand-written SQL, so EF has no model snapshot to compare with.
    private static DbContextOptionsBuilder<WindmillDb> Configure(DbContextOptionsBuilder builder, NpgsqlDataSource dataSource) =>
        (DbContextOptionsBuilder<WindmillDb>)builder.UseNpgsql(dataSource)
            .ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
}
