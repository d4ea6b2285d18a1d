# Multi-stage build of the two images: `docker build --target api .` and `docker build --target worker .`
ARG DOTNET_VERSION=10.0

FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props Windmill.Jobs.sln ./
COPY src/ src/
RUN dotnet publish src/Api/Api.csproj -c Release -o /out/api --nologo \
 && dotnet publish src/Worker/Worker.csproj -c Release -o /out/worker --nologo

# libduckdb ships inside an npm package (no DuckDB.NET package restores here; see ARCHITECTURE.md).
FROM node:20-bookworm-slim AS duckdb
WORKDIR /duckdb
RUN npm pack --silent @duckdb/node-bindings-linux-x64@1.5.6-r.1 && tar xzf ./*.tgz \
 && cp "$(find package -name libduckdb.so | head -1)" /duckdb/libduckdb.so

FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION} AS api
WORKDIR /app
COPY --from=build /out/api .
USER app
ENV PORT=8000
EXPOSE 8000
ENTRYPOINT ["dotnet", "Windmill.Jobs.Api.dll"]

# The worker runs job code, so its image carries the language runtimes jobs need.
FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION} AS worker
RUN apt-get update \
 && apt-get install -y --no-install-recommends bash python3 curl jq ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /out/worker .
COPY --from=duckdb /duckdb/libduckdb.so /usr/local/lib/libduckdb.so
ENV LIBDUCKDB_PATH=/usr/local/lib/libduckdb.so
USER app
ENTRYPOINT ["dotnet", "Windmill.Jobs.Worker.dll"]
