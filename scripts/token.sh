#!/usr/bin/env bash
# Mints a signed URL with the node's own configuration, without starting a node (see README, Stream
# security): scripts/token.sh --app live --stream cam1 --action play [--ttl S] [--vhost V] [--host H] [--Key=Value ...]
# Runs the Release build of the node (built once if it is missing), so it answers in about a second.
set -euo pipefail
cd "$(dirname "$0")/.."
DLL=src/Api/bin/Release/net10.0/Platform.Api.dll
[[ -f $DLL ]] || dotnet build src/Api -c Release -nologo -v q >&2
exec dotnet "$DLL" token "$@"
