# syntax=docker/dockerfile:1
# One image for every node: `docker build -t platform .` at the repository root.
# Settings come from the environment (Cluster__Secret is Cluster:Secret) or from arguments after the
# image name (`docker run platform --Rtmp:Port=1936`); see deploy/README.md.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src

# Restore from the project files alone, so that editing a source file does not download the packages again.
# .editorconfig is part of the build: analyzers run with warnings as errors, at the severities it sets.
COPY .editorconfig global.json Directory.Build.props Directory.Packages.props ./
COPY src/Media/Platform.Media.csproj src/Media/
COPY src/Streams/Platform.Streams.csproj src/Streams/
COPY src/Ingest/Platform.Ingest.csproj src/Ingest/
COPY src/Sources/Platform.Sources.csproj src/Sources/
COPY src/Workers/Platform.Workers.csproj src/Workers/
COPY src/Api/Platform.Api.csproj src/Api/
RUN dotnet restore src/Api

COPY src/ src/
RUN dotnet publish src/Api -c Release -o /app --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:10.0
# ffmpeg for the workers that run it; curl for the container health check (GET /ready on the management port).
RUN apt-get update \
    && apt-get install -y --no-install-recommends ffmpeg curl \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY --from=build /app ./

# The data folder (server id, SQLite when not clustered, HLS segments, recordings) belongs to the image's
# unprivileged user `app` ($APP_UID, 1654); it is created before VOLUME so a new volume inherits the owner.
RUN mkdir -p /data && chown "$APP_UID:$APP_UID" /data
ENV Storage__Root=/data
VOLUME /data

# RTMP, HTTP-FLV/HLS, API, management (/alive, /ready, bootstrap), Akka remoting, media links between nodes.
EXPOSE 1935 8080 1985 8558 4053 4054

USER $APP_UID
ENTRYPOINT ["dotnet", "Platform.Api.dll"]
