# Multi-stage build of the two images: `docker build --target api .` and `docker build --target worker .`
ARG DOTNET_VERSION=10.0

FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props Windmill.Jobs.sln ./
COPY src/ src/
RUN dotnet publish src/Api/Api.csproj -c Release -o /out/api --nologo \
 && dotnet publish src/Worker/Worker.csproj -c Release -o /out/worker --nologo

# libduckdb and bun ship inside npm packages (no DuckDB.NET package restores here; see ARCHITECTURE.md),
# and bun scripts import the official windmill-client.
FROM node:20-bookworm-slim AS natives
WORKDIR /natives
RUN npm pack --silent @duckdb/node-bindings-linux-x64@1.5.6-r.1 && tar xzf duckdb-*.tgz \
 && cp "$(find package -name libduckdb.so | head -1)" /natives/libduckdb.so && rm -rf package \
 && npm pack --silent @oven/bun-linux-x64@1.4.5 && tar xzf oven-bun-*.tgz && cp package/bin/bun /natives/bun \
 && mkdir -p /natives/modules && cd /natives/modules && echo '{"private":true}' > package.json \
 && npm install --no-audit --no-fund --silent windmill-client@1.818.0

# Non-root: the runtime image's "app" user (uid 1654, which the Helm chart's securityContext names).
FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION} AS api
WORKDIR /app
COPY --from=build /out/api .
COPY --from=natives /natives/libduckdb.so /usr/local/lib/libduckdb.so
ENV PORT=8000 LIBDUCKDB_PATH=/usr/local/lib/libduckdb.so
USER 1654
EXPOSE 8000
ENTRYPOINT ["dotnet", "Windmill.Jobs.Api.dll"]

# The worker runs job code, so its image carries the language runtimes jobs need.
FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION} AS worker
RUN apt-get update \
 && apt-get install -y --no-install-recommends bash python3 curl jq ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /out/worker .
COPY --from=natives /natives/libduckdb.so /usr/local/lib/libduckdb.so
COPY --from=natives /natives/bun /usr/local/bin/bun
COPY --from=natives /natives/modules/node_modules /opt/windmill/node_modules
ENV LIBDUCKDB_PATH=/usr/local/lib/libduckdb.so BUN_PATH=/usr/local/bin/bun BUN_NODE_MODULES=/opt/windmill/node_modules \
    PYTHON_PATH=/usr/bin/python3 JOB_DIR=/tmp/windmill-jobs WORKER_HTTP_PORT=8001
USER 1654
EXPOSE 8001
ENTRYPOINT ["dotnet", "Windmill.Jobs.Worker.dll"]
