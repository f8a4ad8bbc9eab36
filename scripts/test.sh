#!/usr/bin/env bash
# Runs the whole test suite. Installs what the tests need first (ffmpeg/ffprobe, PostgreSQL and the
# pulled-source tests' peers from apt when missing), so this one command works on a fresh Debian machine
# with the .NET SDK.
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
# The pulled-source tests' peers (tests/Platform.EndToEnd.Tests/Sources/Peers): the RTSP camera
# (tests/fixtures/rtsp-camera.py on Debian's /usr/bin/python3 with GStreamer's RTSP server, x264enc from
# plugins-ugly, avenc_aac from libav, the RTP payloaders from plugins-good) and nginx-rtmp.
installed() { [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]; }
for pkg in python3 python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good \
  gstreamer1.0-plugins-ugly gstreamer1.0-libav nginx libnginx-mod-rtmp; do
  installed "$pkg" || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing: ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  # No package's service starts on install (nginx's would take port 80): the tests start their own
  # (scripts/postgres.sh starts PostgreSQL). A policy-rc.d of our own only for the install.
  own_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    own_policy=1
    trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod 755 /usr/sbin/policy-rc.d
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
  if [ -n "$own_policy" ]; then
    $SUDO rm -f /usr/sbin/policy-rc.d
    trap - EXIT
  fi
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
