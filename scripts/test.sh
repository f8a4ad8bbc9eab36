#!/usr/bin/env bash
# Runs the whole test suite. Installs what the tests need first (ffmpeg/ffprobe and PostgreSQL from apt
# when missing), so this one command works on a fresh Debian machine with the .NET SDK.
# The multi-node tests share one PostgreSQL: PLATFORM_TEST_POSTGRES (a connection string) when the
# caller sets it, else a local server that scripts/postgres.sh starts and prepares.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v ffmpeg >/dev/null 2>&1 || need_apt+=(ffmpeg)
command -v ffprobe >/dev/null 2>&1 || need_apt+=(ffmpeg)
if [ -z "${PLATFORM_TEST_POSTGRES:-}" ]; then
  compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null && command -v pg_ctlcluster >/dev/null 2>&1 ||
    need_apt+=(postgresql)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing: ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if [ -z "${PLATFORM_TEST_POSTGRES:-}" ]; then
  bash scripts/postgres.sh
  export PLATFORM_TEST_POSTGRES="Host=127.0.0.1;Port=5432;Database=platform_test;Username=platform;Password=platform"
fi

# Formatting and analyzers are part of the suite: a change that is not `dotnet format` clean fails.
dotnet restore Platform.sln --nologo
dotnet format Platform.sln --verify-no-changes --no-restore

log=$(mktemp)
status=0
dotnet test Platform.sln -c Release --nologo "$@" 2>&1 | tee "$log" || status=$?
passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -Eo 'Skipped: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"
echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
exit $status
